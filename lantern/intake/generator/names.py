"""Name pools for London's communities, read once from Faker's locale data, and nickname variants.

Faker is used only as a source of name lists at import time: calling it per record is far
too slow for millions of records.
"""

from __future__ import annotations

import importlib
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from nicknames import NickNamer

# Weights approximate the mix of London's children's family backgrounds (2011 and 2021 Census
# ethnic and country-of-birth groups). Only locales whose names are in Latin script are used:
# Bengali, Arabic, Chinese, Greek and Cyrillic lists are skipped, so en_PK (Pakistani and wider
# South Asian Muslim names) and en_KE / sw (East African, including many Somali-origin names)
# stand in for communities Faker has no romanised list for.
COMMUNITY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("en_GB", 0.40), ("en_IE", 0.03), ("pl_PL", 0.04), ("ro_RO", 0.025), ("lt_LT", 0.01),
    ("pt_PT", 0.02), ("pt_BR", 0.01), ("it_IT", 0.015), ("es_ES", 0.015), ("fr_FR", 0.01),
    ("tr_TR", 0.03), ("en_IN", 0.07), ("en_PK", 0.08), ("yo_NG", 0.05), ("ig_NG", 0.03),
    ("en_NG", 0.02), ("tw_GH", 0.03), ("en_KE", 0.02), ("sw", 0.02), ("ha_NG", 0.01),
)
# Communities with the highest prevalence of FGM among London's mothers (NHS FGM dataset).
FGM_COMMUNITIES = ("sw", "en_KE", "yo_NG", "ig_NG", "en_NG", "tw_GH", "ha_NG", "en_PK")
# Communities whose records are more often entered with given and family names the wrong way round.
ORDER_CONFUSED = frozenset({"yo_NG", "ig_NG", "en_NG", "ha_NG", "tw_GH", "en_KE", "sw", "en_PK", "en_IN"})


def _latin(name: str) -> bool:
    return bool(name) and all(
        ch in " -'" or unicodedata.name(ch, "").startswith("LATIN") for ch in name
    )


def _names(value: object) -> tuple[list[str], list[float]]:
    """Return (names, weights) from a Faker list, tuple or weighted OrderedDict, Latin script only."""
    if isinstance(value, dict):
        pairs = [(str(k), float(v)) for k, v in value.items()]
    else:
        pairs = [(str(k), 1.0) for k in value]  # type: ignore[attr-defined]
    seen: dict[str, float] = {}
    for name, weight in pairs:
        name = name.strip()
        if _latin(name) and name not in seen:
            seen[name] = weight
    return list(seen), list(seen.values())


def _feminine_polish(surname: str) -> str:
    for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return surname


@dataclass(frozen=True)
class Pool:
    names: tuple[str, ...]
    cum: tuple[float, ...]

    def pick(self, random: float) -> str:
        """Pick by a uniform number in [0, 1), weighted."""
        return self.names[bisect_right(self.cum, random * self.cum[-1])]


def _pool(names: list[str], weights: list[float]) -> Pool:
    return Pool(tuple(names), tuple(accumulate(weights)))


@dataclass(frozen=True)
class Community:
    code: str
    male: Pool
    female: Pool
    surnames: Pool
    feminine_surname: bool  # Polish, Lithuanian: a woman's surname form differs


def _community(code: str) -> Community:
    provider = importlib.import_module(f"faker.providers.person.{code}").Provider
    male = getattr(provider, "first_names_male", None)
    female = getattr(provider, "first_names_female", None)
    if not male or not female:  # en_PK, lt_LT have one unsexed list
        male = female = provider.first_names
    if code == "pl_PL":
        surnames = _names(provider.unisex_last_names[:800] + provider.male_last_names)
    else:
        surnames = _names(provider.last_names)
    return Community(code, _pool(*_names(male)), _pool(*_names(female)), _pool(*surnames),
                     feminine_surname=code == "pl_PL")


COMMUNITIES: tuple[Community, ...] = tuple(_community(code) for code, _ in COMMUNITY_WEIGHTS)
COMMUNITY_CUM: tuple[float, ...] = tuple(accumulate(w for _, w in COMMUNITY_WEIGHTS))
COMMUNITY_INDEX = {c.code: i for i, c in enumerate(COMMUNITIES)}


def surname_for(community: Community, surname: str, female: bool) -> str:
    return _feminine_polish(surname) if female and community.feminine_surname else surname


def _nickname_map() -> dict[str, tuple[str, ...]]:
    """Map each given name in the pools to its British nickname variants (William: Bill, Will...)."""
    namer = NickNamer()
    result: dict[str, tuple[str, ...]] = {}
    for community in COMMUNITIES:
        for pool in (community.male, community.female):
            for name in pool.names:
                if name in result:
                    continue
                variants = sorted(n.title() for n in namer.nicknames_of(name.lower()) if len(n) > 1)
                if variants:
                    result[name] = tuple(variants)
    return result


NICKNAMES: dict[str, tuple[str, ...]] = _nickname_map()

STREET_STEMS = (
    "Albion", "Amhurst", "Balls Pond", "Barnsbury", "Brick", "Cazenove", "Chatsworth", "Clapton",
    "Dalston", "Downs", "Evering", "Forest", "Glenarm", "Graham", "Greenwood", "Hackney", "Highbury",
    "Homerton", "Kenninghall", "Kingsland", "Lordship", "Mare", "Median", "Navarino", "Northwold",
    "Osbaldeston", "Queensbridge", "Rectory", "Richmond", "Sandringham", "Shacklewell", "Stamford",
    "Victoria", "Wilton", "Windsor", "Albert", "Alexandra", "Beaconsfield", "Brunswick", "Cambridge",
    "Carlton", "Cedar", "Chestnut", "Church", "Clarence", "College", "Coronation", "Cromwell", "Devonshire",
    "Elm", "Gladstone", "Grosvenor", "Grove", "Hamilton", "Hanover", "Hawthorn", "High", "Hillside",
    "Jubilee", "King's", "Lansdowne", "Laurel", "Lime", "Manor", "Maple", "Marlborough", "Mill", "Nelson",
    "New", "North", "Oak", "Palmerston", "Park", "Portland", "Princes", "Queen's", "Railway", "Regent",
    "St John's", "St Mary's", "School", "Shakespeare", "South", "Springfield", "Station", "Stanley",
    "Sussex", "Trafalgar", "Vicarage", "Warwick", "Waterloo", "Wellington", "West", "Westbourne",
    "Whitehall", "Willow", "York", "Coldharbour", "Brixton", "Peckham", "Lewisham", "Tooting", "Streatham",
    "Catford", "Ilford", "Romford", "Wembley", "Harrow", "Ealing", "Acton", "Kilburn", "Tottenham",
    "Edmonton", "Walthamstow", "Leyton", "Stratford", "Plaistow", "Barking", "Poplar", "Bow", "Stepney",
)
STREET_SUFFIXES = ("Road", "Road", "Road", "Street", "Street", "Avenue", "Lane", "Close", "Gardens", "Grove",
                   "Way", "Place", "Terrace", "Crescent", "Walk", "Rise", "Hill", "Square", "Drive", "Mews")
ESTATE_BLOCKS = ("House", "Court", "Tower", "Lodge", "Point", "Heights", "Mansions")
