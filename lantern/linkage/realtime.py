"""Real-time linking: find a new or changed record's person within the request that brought it.

Splink's `predict_between` scans the whole index; this instead looks up candidates
through the indexed blocking keys (`LinkKey`, the same keys batch linkage blocks on) and
scores only those with the trained model's weights in Python (`model.Scorer`).
"""

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson
from django.conf import settings
from django.db import connection
from django.db.models import Q

from lantern.core.db import indexes_deferred
from lantern.intake.bulk import execute_many, insert_fanned_out
from lantern.people.models import SearchTerm
from lantern.people.search import record_terms

from .comparisons import Features
from .exceptions import LinkageError
from .features import RECORD_COLUMNS, blocking_keys, record_features
from .model import PairScore, Scorer
from .models import LinkageModel, LinkKey, ReviewPair, ReviewStatus

# Candidates come with the columns features need; `id` and `person_id` say who they are.
_CANDIDATE_SQL = (
    "SELECT k.key, r.id, r.person_id, {columns} FROM linkage_linkkey k "
    "JOIN people_sourcerecord r ON r.id = k.record_id WHERE k.key IN ({keys})"
)
_scorers: dict[str, Scorer] = {}
# The tables of the real-time index, which bulk loads fill with their indexes deferred.
INDEX_TABLES = (LinkKey, SearchTerm)
log = logging.getLogger(__name__)


def match_probability() -> float:
    return float(settings.LANTERN_LINK_MATCH_PROBABILITY)


def review_floor() -> float:
    return float(settings.LANTERN_LINK_REVIEW_FLOOR)


def active_scorer() -> tuple[str, Scorer] | None:
    """Return the active model's version and scorer, or None before the first `lantern link`."""
    from .model import TrainedModel

    row = LinkageModel.objects.filter(active=True).values_list("version", flat=True).first()
    if row is None:
        return None
    if row not in _scorers:
        parameters = LinkageModel.objects.get(version=row).parameters
        try:
            scorer = TrainedModel.from_dict(parameters).scorer()
        except LinkageError:
            # A model saved by an older Lantern: records must still go in, so they wait as
            # persons of their own until `lantern link --retrain` links them.
            log.warning("The active linkage model %s no longer fits this code; new records are not linked "
                        "until `lantern link --retrain`", row, exc_info=True)
            return None
        _scorers.clear()  # one model is active at a time; drop the old one
        _scorers[row] = scorer
    return row, _scorers[row]


@dataclass
class Candidate:
    record_id: int
    person_id: int
    features: Features


@dataclass
class Outcome:
    """What linking decided for one record."""

    person_id: int | None
    """The person it joins; None when it matches nobody well enough (it becomes a new person)."""
    score: PairScore | None = None
    review: list[tuple[int, PairScore]] = field(default_factory=list)
    """Candidate records it should be reviewed against, with their scores."""


def record_row(record: Any) -> dict[str, Any]:
    """Return the linkage columns of a SourceRecord (or anything with the same attributes)."""
    return {column: getattr(record, column) for column in RECORD_COLUMNS}


def find_candidates(features: Sequence[Features]) -> dict[int, list[Candidate]]:
    """Return the indexed records sharing any blocking key with the given records, by key."""
    wanted = sorted({key for f in features for key in blocking_keys(f)})
    found: dict[int, list[Candidate]] = {}
    if not wanted:
        return found
    columns = ", ".join(f"r.{c}" for c in RECORD_COLUMNS if c != "id")
    seen: dict[int, Candidate] = {}  # a record sharing several keys is read once
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 900):
            part = wanted[start:start + 900]
            sql = _CANDIDATE_SQL.format(columns=columns, keys=", ".join(["%s"] * len(part)))
            cursor.execute(sql, part)
            for key, record_id, person_id, *values in cursor.fetchall():
                if record_id not in seen:
                    row = dict(zip(RECORD_COLUMNS[1:], values, strict=True))
                    row["id"] = record_id
                    if isinstance(row["aliases"], str):  # SQLite hands JSON back as text
                        row["aliases"] = orjson.loads(row["aliases"])
                    seen[record_id] = Candidate(record_id, person_id, record_features(row))
                found.setdefault(key, []).append(seen[record_id])
    return found


def decide(features: Features, candidates: Iterable[Candidate], scorer: Scorer,
           rejected: set[int] | frozenset[int] = frozenset()) -> Outcome:
    """Choose the person a record belongs to among scored candidates.

    The best-scoring candidate above the match threshold gives the person. Candidates in the
    review band, and strong matches that belong to another person, go to review instead.
    `rejected` are candidate records a reviewer said are not the same person.
    """
    best_per_person: dict[int, tuple[Candidate, PairScore]] = {}
    seen: set[int] = set()
    for candidate in candidates:
        record_id = candidate.record_id
        if record_id in seen or record_id in rejected or record_id == features["unique_id"]:
            continue
        seen.add(candidate.record_id)
        score = scorer.score(features, candidate.features)
        held = best_per_person.get(candidate.person_id)
        if held is None or score.match_weight > held[1].match_weight:
            best_per_person[candidate.person_id] = (candidate, score)
    ranked = sorted(best_per_person.items(), key=lambda item: -item[1][1].match_weight)
    outcome = Outcome(None)
    floor, threshold = review_floor(), match_probability()
    for person_id, (candidate, score) in ranked:
        if outcome.person_id is None and score.match_probability >= threshold:
            outcome.person_id, outcome.score = person_id, score
        elif score.match_probability >= floor:
            outcome.review.append((candidate.record_id, score))
    return outcome


@contextmanager
def rebuilding_index() -> Iterator[None]:
    """Empty the real-time index (blocking keys and search terms) for a rebuild of every record.

    Its indexes are dropped while the rows go in and built once at the end: inserting tens
    of millions of keys into them one by one was most of a rebuild's time (29 minutes for
    1.6 million records on SQLite).
    """
    LinkKey.objects.all().delete()
    SearchTerm.objects.all().delete()
    with indexes_deferred(INDEX_TABLES):
        yield


class IndexEntry(NamedTuple):
    """What the real-time index holds for one record: its blocking keys and its search terms.

    Each is a JSON array of distinct integers: the importer's parsing processes make them, and
    the writer passes them on to the database without reading them (see insert_fanned_out).
    `keys` is empty (not even an array) when they were not made: before the first
    `lantern link` nothing reads them, and that command indexes every record again.
    """

    keys: bytes
    terms: bytes


def key_array(features: Features) -> bytes:
    return orjson.dumps(sorted(set(blocking_keys(features))))


def index_entry(features: Features, *, with_keys: bool = True) -> IndexEntry:
    return IndexEntry(key_array(features) if with_keys else b"", orjson.dumps(sorted(set(record_terms(features)))))


def index_records(records: Sequence[tuple[int, Features]], *, replace: bool = False) -> None:
    """Put records' blocking keys into the real-time index (replacing their old keys if asked).

    Their search terms go in at the same time, so a record is found by search exactly when
    linkage can find it.
    """
    index_entries([(record_id, index_entry(features)) for record_id, features in records], replace=replace)


def index_entries(entries: Sequence[tuple[int, IndexEntry]], *, replace: bool = False) -> None:
    """Write records' index entries (made ahead, by the importer's parsing processes, say)."""
    if replace:
        ids = [(record_id,) for record_id, _ in entries]
        execute_many("DELETE FROM linkage_linkkey WHERE record_id = %s", ids)
        execute_many("DELETE FROM people_searchterm WHERE record_id = %s", ids)
    index_link_keys(entries)
    index_search_terms(entries)


def index_link_keys(entries: Sequence[tuple[int, IndexEntry]]) -> None:
    """Write the blocking keys of records' index entries (real-time linking reads them at once)."""
    insert_fanned_out("linkage_linkkey", ("key", "record_id"),
                      [(record_id, entry.keys) for record_id, entry in entries if entry.keys])


def index_search_terms(entries: Sequence[tuple[int, IndexEntry]], *,
                       meanwhile: Callable[[], None] | None = None) -> None:
    """Write the search terms of records' index entries (`meanwhile` as insert_fanned_out's)."""
    insert_fanned_out("people_searchterm", ("term", "record_id"),
                      [(record_id, entry.terms) for record_id, entry in entries], meanwhile=meanwhile)


def raise_reviews(pairs: Iterable[tuple[int, int, PairScore]], *, model_version: str, now: Any,
                  actor: Any = None, because: str = "") -> int:
    """Queue pairs for review (ones already queued or decided are left as they are)."""
    rows = []
    for left, right, score in pairs:
        low, high = sorted((left, right))
        rows.append(ReviewPair(
            record_low_id=low, record_high_id=high, match_weight=score.match_weight,
            match_probability=score.match_probability, fields=fields_json(score),
            model_version=model_version, raised_at=now, raised_by=actor, raised_because=because,
        ))
    before = ReviewPair.objects.count()
    ReviewPair.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return ReviewPair.objects.count() - before


def fields_json(score: PairScore) -> list[dict[str, Any]]:
    return [{"comparison": f.comparison, "level": f.level, "label": f.label, "match_weight": round(f.match_weight, 2)}
            for f in score.fields]


def rejected_partners(record_ids: Iterable[int]) -> dict[int, set[int]]:
    """Return, for each record, the records a reviewer said are a different person."""
    ids = list(record_ids)
    partners: dict[int, set[int]] = {}
    pairs = ReviewPair.objects.filter(Q(record_low__in=ids) | Q(record_high__in=ids),
                                      status=ReviewStatus.DIFFERENT).values_list("record_low", "record_high")
    for low, high in pairs:
        partners.setdefault(low, set()).add(high)
        partners.setdefault(high, set()).add(low)
    return partners


@dataclass
class BatchLinks:
    """What linking decided for a batch of new records, in their order."""

    persons: list[int]
    """Each record's person: an existing person's id, or a negative number naming a new person
    (records in the batch that match each other share it)."""
    reviews: list[tuple[int, int, PairScore]]
    model_version: str
    features: Sequence[Features] = ()
    """The records' features, when a model read them."""


def link_batch(count: int, read_features: Callable[[], Sequence[Features]]) -> BatchLinks:
    """Link `count` new records (with their ids already chosen) against the index and each other.

    `read_features` gives the records' features. It is called only when a trained model is
    active, so a load before the first `lantern link` never decodes them.
    """
    active = active_scorer()
    if active is None:
        return BatchLinks([-(i + 1) for i in range(count)], [], "")
    version, scorer = active
    features = read_features()
    found = find_candidates(features)
    in_batch: dict[int, list[Candidate]] = {}
    persons: list[int] = []
    reviews: list[tuple[int, int, PairScore]] = []
    for index, record in enumerate(features):
        keys = blocking_keys(record)
        candidates = [c for key in keys for c in (*found.get(key, ()), *in_batch.get(key, ()))]
        outcome = decide(record, candidates, scorer)
        person = outcome.person_id if outcome.person_id is not None else -(index + 1)
        persons.append(person)
        reviews += [(record["unique_id"], other, score) for other, score in outcome.review]
        for key in keys:
            in_batch.setdefault(key, []).append(Candidate(record["unique_id"], person, record))
    return BatchLinks(persons, reviews, version, features)
