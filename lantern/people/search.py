"""Finding a person: by name (misspelt, or a nickname), date of birth or age, postcode, NHS
number, or any agency's reference.

Each record is indexed under search terms made from its linkage features, so search and
linkage read a record the same way: the sound of each name (metaphone, and soundex for
vowels that metaphone drops), the nickname groups of the given name, the date of birth and
its year, the postcode and its district, the NHS number. A query becomes terms of the same
kind; the records sharing most of them are candidates, and each candidate is then scored
field by field, so the strongest matches come first.

Search reaches records only through the access checkpoint, and every search is audited.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import permutations
from typing import Any, NamedTuple

import jellyfish
from django.db.models import Count

from lantern.core.access import scope_for, visible_records
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.linkage.features import key_hash
from lantern.linkage.names import name_parts, nickname_keys
from lantern.organisations.models import Agency

from .ages import age_on
from .models import SearchTerm, SourceRecord

# Records sharing the most terms with a query, London-wide, before the user's scope is
# applied: enough that a misspelt common name still finds its person once a date of birth or
# postcode is added; only the ones the user may see are then read and scored.
CANDIDATE_LIMIT = 5000
RESULT_LIMIT = 25
# Below this share of the possible score a record is not shown: a name alone that sounds
# alike passes, a right name with the wrong age does not.
WEAKEST_SHOWN = 0.6

# Points each field can give; a query is scored out of the fields it gives.
NAME_POINTS, DOB_POINTS, POSTCODE_POINTS, IDENTIFIER_POINTS = 40, 30, 15, 50


def _sounds(word: str) -> set[str]:
    return {f"n:{jellyfish.metaphone(word)}", f"s:{jellyfish.soundex(word)}"}


def _pairs(given: str, given_keys: Iterable[str], family: str) -> set[str]:
    """Return the terms of a given name and a family name together.

    A common name alone matches a hundred thousand records in London ("John" or "Smith");
    the two together match a few hundred, so a search by full name reads only those.
    """
    given_sound, family_sound = jellyfish.soundex(given), jellyfish.soundex(family)
    return {f"gf:{jellyfish.metaphone(given)}|{jellyfish.metaphone(family)}",
            f"gs:{given_sound}|{family_sound}",
            # A typed family name often keeps its first letters but not its sound (Bradley
            # typed Braley, Bennett typed Benntet).
            f"gp:{given_sound}|{family[:3]}",
            *(f"kf:{key}|{family_sound}" for key in given_keys)}


def record_terms(features: Mapping[str, Any]) -> set[int]:
    """Return the hashed search terms of one record, from its linkage features."""
    given, family_parts = features["given_name"], features["family_parts"] or ()
    given_keys = tuple(features["given_keys"] or ())
    terms: set[int] = set()
    for word in {given, *family_parts}:
        if word:
            terms |= _hashed_sounds(word)
    terms |= _hashed_nicknames(given_keys)
    if given:
        for family in family_parts:
            terms |= _hashed_pairs(given, given_keys, family)
    others = []
    if features["dob"]:
        others.append(f"d:{features['dob']}")
    if features["dob_year"]:
        others.append(f"y:{features['dob_year']}")
    if features["postcode"]:
        others += [f"p:{features['postcode']}", f"pd:{features['postcode_district']}"]
    terms.update(map(_hashed_term, others))
    if features["nhs_number"]:
        terms.add(key_hash(f"h:{features['nhs_number']}"))  # type: ignore[arg-type]  # one a person: not remembered
    return terms


# Terms already hashed, for the names (and years, dates, postcodes) met most recently: they
# repeat across London's records, so an import hashes each about once (a tenth of parsing a
# person line was making the names' terms again). Bounded, as an import's memory must be.
NAMES_REMEMBERED = 1 << 16


@lru_cache(maxsize=NAMES_REMEMBERED)
def _hashed_term(term: str) -> int:
    # Years of birth and postcode districts repeat in nearly every record, dates and postcodes often.
    return key_hash(term)  # type: ignore[return-value]  # never None for text


@lru_cache(maxsize=NAMES_REMEMBERED)
def _hashed_sounds(word: str) -> frozenset[int]:
    return frozenset(map(key_hash, _sounds(word)))  # type: ignore[arg-type]


@lru_cache(maxsize=NAMES_REMEMBERED)
def _hashed_nicknames(given_keys: tuple[str, ...]) -> frozenset[int]:
    return frozenset(key_hash(f"k:{key}") for key in given_keys)  # type: ignore[misc]


@lru_cache(maxsize=NAMES_REMEMBERED)
def _hashed_pairs(given: str, given_keys: tuple[str, ...], family: str) -> frozenset[int]:
    return frozenset(map(key_hash, _pairs(given, given_keys, family)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class SearchQuery:
    """What the user asked for; every part optional, at least one given (the form checks)."""

    name: str = ""
    dob_year: int | None = None
    dob_month: int | None = None
    dob_day: int | None = None
    age: int | None = None
    postcode: str = ""
    nhs_number: str = ""
    reference: str = ""

    @property
    def name_words(self) -> tuple[str, ...]:
        return name_parts(self.name)

    @property
    def compact_postcode(self) -> str:
        return self.postcode.replace(" ", "").upper()

    def criteria(self) -> dict[str, Any]:
        """Return what was asked, for the audit trail."""
        return {name: value for name, value in self.__dict__.items() if value not in ("", None)}


def query_terms(query: SearchQuery, today: date) -> set[int]:
    """Return the hashed terms a record must share to be a candidate for the query.

    Terms that narrow to a few records (a full name, a date of birth, a full postcode, an
    NHS number) are used when the query has any; the broad ones (one name alone, a year of
    birth, a postcode district), which match tens of thousands of records in London, only
    when it has nothing narrower. Every field asked for still counts in the score.
    """
    narrow: set[str] = set()
    broad: set[str] = set()
    words = query.name_words
    # Two or more words: each pair, either way round (given and family names get swapped).
    for given, family in permutations(words, 2):
        narrow |= _pairs(given, nickname_keys(given), family)
    if len(words) == 1:
        broad |= _sounds(words[0]) | {f"k:{key}" for key in nickname_keys(words[0])}
    if query.dob_year and query.dob_month and query.dob_day:
        narrow.add(f"d:{query.dob_year:04d}-{query.dob_month:02d}-{query.dob_day:02d}")
    elif query.dob_year:
        broad.add(f"y:{query.dob_year}")
    if query.age is not None:
        broad |= {f"y:{year}" for year in _birth_years(query.age, today)}
    postcode = query.compact_postcode
    if len(postcode) >= 5:
        narrow.add(f"p:{postcode}")
    elif postcode:
        broad.add(f"pd:{postcode}")
    if query.nhs_number:
        narrow.add(f"h:{query.nhs_number}")
    return {key_hash(term) for term in narrow or broad}  # type: ignore[misc]


def _birth_years(age: int, today: date) -> tuple[int, int]:
    return today.year - age - 1, today.year - age


# Scoring ------------------------------------------------------------------------------------

def _word_score(asked: str, held: Iterable[str]) -> float:
    """Return how well one asked name word matches the best of a record's name words (0 to 1)."""
    best = 0.0
    asked_keys = set(nickname_keys(asked))
    asked_sound = jellyfish.metaphone(asked)
    for word in held:
        if word == asked:
            return 1.0
        similarity = jellyfish.jaro_winkler_similarity(asked, word)
        if asked_keys & set(nickname_keys(word)):
            best = max(best, 0.9)
        elif similarity >= 0.85:
            best = max(best, 0.9 * similarity)
        elif jellyfish.metaphone(word) == asked_sound or jellyfish.soundex(word) == jellyfish.soundex(asked):
            best = max(best, 0.7)
    return best


def _dob_score(query: SearchQuery, record: "CandidateRecord | SourceRecord", today: date) -> float:
    year, month, day = record.dob_year, record.dob_month, record.dob_day
    if query.age is not None and not query.dob_year:
        if year is not None and month and day:
            return 1.0 if age_on(year, month, day, today) == query.age else 0.0
        return 0.8 if year in _birth_years(query.age, today) else 0.0
    if year is None:
        return 0.0
    asked = (query.dob_year, query.dob_month, query.dob_day)
    if asked == (year, month, day):
        return 1.0
    swapped = (query.dob_day, query.dob_month)
    if year == query.dob_year and query.dob_month and query.dob_day and (month, day) == swapped:
        return 0.7  # day and month written the other way round
    if year == query.dob_year and (month is None or query.dob_month is None):
        return 0.6  # one of the two gives only the year (or year and month)
    if year == query.dob_year and month == query.dob_month:
        return 0.5
    if year == query.dob_year:
        return 0.4
    if query.dob_year and query.dob_month and (month, day) == (query.dob_month, query.dob_day) \
            and abs(year - query.dob_year) == 1:
        return 0.4  # the year one out
    return 0.0


def _postcode_share(asked: str, mine: str) -> float:
    """Score a postcode: a district asked for ('E8') matches in full; a full one, less for its sector or district."""
    if not mine:
        return 0.0
    if len(asked) < 5:
        return 1.0 if mine[:-3] == asked else 0.0
    if mine == asked:
        return 1.0
    return 0.5 if mine[:-2] == asked[:-2] else 0.3 if mine[:-3] == asked[:-3] else 0.0


@dataclass
class RecordScore:
    score: float
    possible: float
    matched: list[str] = field(default_factory=list)

    @property
    def strength(self) -> float:
        return self.score / self.possible if self.possible else 0.0


class CandidateRecord(NamedTuple):
    """The fields of a record that search scores, read as plain values."""

    id: int
    person_id: int
    agency_id: int
    given_names: str
    family_name: str
    aliases: list[str]
    dob_year: int | None
    dob_month: int | None
    dob_day: int | None
    postcode: str
    nhs_number: str
    source_id: str
    restricted: bool


def score_record(query: SearchQuery, record: CandidateRecord | SourceRecord, today: date) -> RecordScore:
    """Score a record against the query, field by field, and say which fields matched."""
    result = RecordScore(0.0, 0.0)

    def add(label: str, points: int, share: float) -> None:
        result.possible += points
        result.score += points * share
        if share >= 0.7:
            result.matched.append(label)

    if query.name_words:
        held = [*name_parts(record.given_names), *name_parts(record.family_name),
                *(word for alias in record.aliases or () for word in name_parts(alias))]
        add("name", NAME_POINTS, sum(_word_score(w, held) for w in query.name_words) / len(query.name_words))
    if query.dob_year or query.age is not None:
        add("date of birth" if query.dob_year else "age", DOB_POINTS, _dob_score(query, record, today))
    if query.postcode:
        share = _postcode_share(query.compact_postcode, record.postcode.replace(" ", "").upper())
        add("postcode" if share == 1.0 else "postcode area", POSTCODE_POINTS, share)
    if query.nhs_number:
        add("NHS number", IDENTIFIER_POINTS, 1.0 if record.nhs_number == query.nhs_number else 0.0)
    if query.reference:
        add("agency reference", IDENTIFIER_POINTS,
            1.0 if record.source_id.upper() == query.reference.upper() else 0.0)
    return result


# The search itself ---------------------------------------------------------------------------

@dataclass
class PersonMatch:
    """One person found, through the best-matching record the user may see."""

    reference: str
    record: SourceRecord
    score: RecordScore
    agencies: list[str]

    @property
    def strength(self) -> tuple[str, str]:
        """Return how strong the match is, in words and as a GOV.UK tag colour."""
        if self.score.strength >= 0.85:
            return "Strong match", "green"
        return ("Good match", "blue") if self.score.strength >= 0.7 else ("Possible match", "grey")

    @property
    def strength_label(self) -> str:
        return self.strength[0]


@dataclass
class SearchResult:
    matches: list[PersonMatch]
    total: int


class SearchRefused(Exception):
    """The user's role may not search by personal details."""


def search_people(user: Any, query: SearchQuery, *, today: date) -> SearchResult:
    """Return the people matching the query that the user may see, strongest first; audit it."""
    scope = scope_for(user)
    if not scope.sees_case_data or scope.pseudonymised:
        # Finding someone by name would tie a pseudonymised view back to them.
        raise SearchRefused("Your role cannot search by personal details")
    visible = visible_records(user).filter(person__isnull=False)
    terms = sorted(query_terms(query, today))
    candidate_ids: set[int] = set()
    if terms:
        # The terms first, then the checkpoint's scope on the records they lead to: joined in
        # one query, SQLite would read every record in the user's borough to find the few.
        candidate_ids.update(
            SearchTerm.objects.filter(term__in=terms).values("record_id").annotate(hits=Count("*"))
            .order_by("-hits").values_list("record_id", flat=True)[:CANDIDATE_LIMIT]
        )
    if query.reference:
        wanted = {query.reference, query.reference.upper()}
        candidate_ids.update(visible.filter(source_id__in=wanted).values_list("pk", flat=True)[:CANDIDATE_LIMIT])
    # Score plain rows (hundreds of candidates for a common name), then read the shown ones in full.
    best: dict[int, tuple[CandidateRecord, RecordScore]] = {}
    agencies: dict[int, set[int]] = {}
    for values in visible.filter(pk__in=candidate_ids).values_list(*CandidateRecord._fields):
        candidate = CandidateRecord(*values)
        score = score_record(query, candidate, today)
        if score.strength < WEAKEST_SHOWN:
            continue
        agencies.setdefault(candidate.person_id, set()).add(candidate.agency_id)
        held = best.get(candidate.person_id)
        # The best-matching record shows the person; of equals, one whose details may be shown.
        if held is None or (score.strength, not candidate.restricted) > (held[1].strength, not held[0].restricted):
            best[candidate.person_id] = (candidate, score)
    ranked = sorted(best.values(), key=lambda pair: (-pair[1].strength, pair[0].person_id))
    shown_records = visible.select_related("agency", "borough", "person").in_bulk(
        [candidate.id for candidate, _ in ranked[:RESULT_LIMIT]])
    names = dict(Agency.objects.values_list("pk", "name"))
    shown = [
        PersonMatch(shown_records[candidate.id].person.reference, shown_records[candidate.id],  # type: ignore[union-attr]
                    score, sorted(names[agency] for agency in agencies[candidate.person_id]))
        for candidate, score in ranked[:RESULT_LIMIT]
    ]
    audit_write(actor=user, verb=AuditVerb.PERSON_SEARCH,
                payload={"criteria": query.criteria(), "found": len(ranked),
                         "shown": [match.reference for match in shown]})
    return SearchResult(shown, len(ranked))
