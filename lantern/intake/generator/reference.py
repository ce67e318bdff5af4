"""Reference data the generator draws on: boroughs, postcode districts, post towns, schools, agencies.

Everything here depends only on the shipped borough files, never on the seed, so the same
agencies and schools appear whatever seed or scale a run uses.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import accumulate

DATA = files("lantern.organisations") / "data"

# Royal Mail never uses C, I, K, M, O or V in the last two letters of a postcode.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Post towns for the outer London districts; inner districts are all "London".
POST_TOWNS = {
    "BR1": "Bromley", "BR2": "Bromley", "BR3": "Beckenham", "BR4": "West Wickham", "BR5": "Orpington",
    "BR6": "Orpington", "BR7": "Chislehurst", "CR0": "Croydon", "CR2": "South Croydon", "CR4": "Mitcham",
    "CR5": "Coulsdon", "CR7": "Thornton Heath", "CR8": "Purley", "DA1": "Dartford", "DA5": "Bexley",
    "DA6": "Bexleyheath", "DA7": "Bexleyheath", "DA8": "Erith", "DA14": "Sidcup", "DA15": "Sidcup",
    "DA16": "Welling", "DA17": "Belvedere", "DA18": "Erith", "EN1": "Enfield", "EN2": "Enfield",
    "EN3": "Enfield", "EN4": "Barnet", "EN5": "Barnet", "HA0": "Wembley", "HA1": "Harrow", "HA2": "Harrow",
    "HA3": "Harrow", "HA4": "Ruislip", "HA5": "Pinner", "HA6": "Northwood", "HA7": "Stanmore",
    "HA8": "Edgware", "HA9": "Wembley", "IG1": "Ilford", "IG2": "Ilford", "IG3": "Ilford", "IG4": "Ilford",
    "IG5": "Ilford", "IG6": "Ilford", "IG7": "Chigwell", "IG8": "Woodford Green", "IG9": "Buckhurst Hill",
    "IG11": "Barking", "KT1": "Kingston upon Thames", "KT2": "Kingston upon Thames", "KT3": "New Malden",
    "KT4": "Worcester Park", "KT5": "Surbiton", "KT6": "Surbiton", "KT9": "Chessington",
    "RM1": "Romford", "RM2": "Romford", "RM3": "Romford", "RM4": "Romford", "RM5": "Romford",
    "RM6": "Romford", "RM7": "Romford", "RM8": "Dagenham", "RM9": "Dagenham", "RM10": "Dagenham",
    "RM11": "Hornchurch", "RM12": "Hornchurch", "RM13": "Rainham", "RM14": "Upminster",
    "SM1": "Sutton", "SM2": "Sutton", "SM3": "Sutton", "SM4": "Morden", "SM5": "Carshalton",
    "SM6": "Wallington", "TN16": "Westerham", "TW1": "Twickenham", "TW2": "Twickenham",
    "TW3": "Hounslow", "TW4": "Hounslow", "TW5": "Hounslow", "TW6": "Hounslow", "TW7": "Isleworth",
    "TW8": "Brentford", "TW9": "Richmond", "TW10": "Richmond", "TW11": "Teddington", "TW12": "Hampton",
    "TW13": "Feltham", "TW14": "Feltham", "UB1": "Southall", "UB2": "Southall", "UB3": "Hayes",
    "UB4": "Hayes", "UB5": "Northolt", "UB6": "Greenford", "UB7": "West Drayton", "UB8": "Uxbridge",
    "UB9": "Uxbridge", "UB10": "Uxbridge", "UB11": "Uxbridge",
}


@dataclass(frozen=True)
class School:
    urn: str
    name: str
    phase: str  # primary, secondary or special
    ons_code: str

    @property
    def agency_code(self) -> str:
        return f"school-{self.urn}"


@dataclass(frozen=True)
class Borough:
    index: int  # 1..33, from the ONS code
    ons_code: str
    name: str
    population: int
    children: int
    districts: tuple[str, ...]
    district_cum_weights: tuple[float, ...]

    @property
    def slug(self) -> str:
        return self.ons_code.lower()

    @property
    def csc_code(self) -> str:
        return f"csc-{self.slug}"

    @property
    def health_code(self) -> str:
        return f"health-{self.slug}"

    def town(self, district: str) -> str:
        return POST_TOWNS.get(district, "London")


@cache
def boroughs() -> tuple[Borough, ...]:
    """Return the 33 London authorities in ONS code order, with postcode districts weighted by size."""
    weights: dict[tuple[str, str], int] = {}
    with (DATA / "postcode_district_borough_shares.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["included_in_london_boroughs_csv"] == "1":
                weights[(row["ons_code"], row["postcode_district"])] = int(row["postcode_locations_in_borough"])
    found = []
    with (DATA / "london_boroughs.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["ons_code"]
            districts = tuple(row["postcode_districts"].split())
            district_weights = [weights.get((code, d), 1) for d in districts]
            found.append(Borough(
                index=int(code[3:]), ons_code=code, name=row["name"],
                population=int(row["population_total"]), children=int(row["population_0_17"]),
                districts=districts, district_cum_weights=tuple(accumulate(float(w) for w in district_weights)),
            ))
    return tuple(found)


@cache
def borough_by_code() -> dict[str, Borough]:
    return {b.ons_code: b for b in boroughs()}


@cache
def london_children() -> int:
    """All London's children aged 0-17 (mid-2016): the denominator for spreading volumes."""
    return sum(b.children for b in boroughs())


def select_boroughs(spec: str) -> tuple[Borough, ...]:
    """Parse `all` or comma-separated ONS codes into boroughs, in ONS code order."""
    by_code = borough_by_code()
    if spec.strip().lower() == "all":
        return boroughs()
    codes = [c.strip().upper() for c in spec.split(",") if c.strip()]
    unknown = [c for c in codes if c not in by_code]
    if unknown or not codes:
        raise ValueError(f"Unknown borough code(s) {', '.join(unknown) or '(none given)'}: "
                         "give ONS codes E09000001 to E09000033, comma-separated, or 'all'")
    return tuple(b for b in boroughs() if b.ons_code in set(codes))


# London has about 2,500 state-funded schools; each borough gets its share by child population.
LONDON_STATE_SCHOOLS = 2500
_SCHOOL_STEMS = (
    "Parkside", "Hillside", "Brookfield", "Oakwood", "Elmhurst", "Grange", "Woodlands", "Riverside",
    "Meadowside", "Ashmount", "Highfield", "Fairlawn", "Southfields", "Northway", "Westbrook", "Eastfield",
    "Mayfield", "Rosemead", "Beechwood", "Thornhill", "Kingsmead", "Queensbridge", "Lauriston", "Orchard",
    "Millfields", "Holmleigh", "Gainsborough", "Larkswood", "Chestnut Grove", "Willow Bank", "Redbridge",
    "Harbour", "Cranbrook", "Hazelwood", "Lyndhurst", "Stanhope", "Clifton", "Grafton", "Sandringham",
    "Windrush", "Ravenscourt", "Heathbrook", "Greenleaf", "Maple", "Fernhill", "Lime Tree", "Copperfield",
    "Cardinal Road", "Canal Side", "Market Street", "Albion", "Victoria Park", "Priory", "Abbey",
    "Elizabeth Garrett Anderson", "Mary Seacole", "Isaac Newton", "William Tyndale", "Charles Darwin",
    "Ada Lovelace", "Michael Faraday", "Florence Nightingale", "Walter Tull", "Olaudah Equiano",
)
_FAITH_STEMS = ("St Mary's", "St John's", "St Joseph's", "St Paul's", "Holy Trinity", "Christ Church",
                "St Michael's", "St Anne's", "Our Lady of Lourdes", "St Saviour's", "St Matthew's",
                "St Dominic's", "St Thomas More", "Sacred Heart", "St Luke's", "St Peter's")
_PRIMARY = ("Primary School", "Primary School", "Community Primary School", "Infant and Junior School",
            "Primary Academy")
_FAITH_PRIMARY = ("Church of England Primary School", "Catholic Primary School", "CofE Primary School")
_SECONDARY = ("Academy", "High School", "School", "Community School", "College")
_FAITH_SECONDARY = ("Catholic High School", "Church of England Academy", "Catholic College")


@cache
def schools() -> dict[str, dict[str, tuple[School, ...]]]:
    """Return every borough's schools by phase, the same whatever the seed.

    URNs are six digits: older local-authority schools from 100000, academies from 136000, as
    the DfE allocates them; each is unique across London.
    """
    rng = random.Random("lantern-generator-schools-v1")  # noqa: S311 - reference data, not security
    pools = [iter(rng.sample(range(100000, 104000), 4000)), iter(rng.sample(range(136000, 150000), 14000))]
    total = london_children()
    result: dict[str, dict[str, tuple[School, ...]]] = {}
    for borough in boroughs():
        count = max(2, round(LONDON_STATE_SCHOOLS * borough.children / total))
        n_primary = max(1, round(count * 0.74))
        n_secondary = max(1, round(count * 0.20))
        phases: dict[str, list[School]] = {"primary": [], "secondary": [], "special": []}
        for n in range(count):
            phase = "primary" if n < n_primary else ("secondary" if n < n_primary + n_secondary else "special")
            faith = rng.random() < 0.25 and phase != "special"
            stem = rng.choice(_FAITH_STEMS if faith else _SCHOOL_STEMS)
            if phase == "primary":
                suffix = rng.choice(_FAITH_PRIMARY if faith else _PRIMARY)
            elif phase == "secondary":
                suffix = rng.choice(_FAITH_SECONDARY if faith else _SECONDARY)
            else:
                suffix = "School"
            academy = suffix.endswith(("Academy", "College")) or rng.random() < 0.3
            urn = next(pools[1] if academy else pools[0])
            phases[phase].append(School(str(urn), f"{stem} {suffix}", phase, borough.ons_code))
        # A borough with no special school sends those children to a secondary.
        if not phases["special"]:
            phases["special"] = phases["secondary"] or phases["primary"]
        result[borough.ons_code] = {k: tuple(v) for k, v in phases.items()}
    return result


def school_list(ons_code: str) -> list[School]:
    """Return a borough's distinct schools in a stable order."""
    seen: dict[str, School] = {}
    for phase in ("primary", "secondary", "special"):
        for school in schools()[ons_code][phase]:
            seen.setdefault(school.urn, school)
    return list(seen.values())


def agency_lines(selected: tuple[Borough, ...]) -> list[dict[str, object]]:
    """Return the agency registrations for a run over the selected boroughs."""
    lines: list[dict[str, object]] = [
        {"kind": "agency", "code": "met", "name": "Metropolitan Police Service", "agency_kind": "police",
         "borough": None},
        {"kind": "agency", "code": "probation-london", "name": "Probation Service London",
         "agency_kind": "probation", "borough": None},
    ]
    for b in selected:
        lines.append({"kind": "agency", "code": b.csc_code, "name": f"{b.name} Children's Social Care",
                      "agency_kind": "childrens_social_care", "borough": b.ons_code})
        lines.append({"kind": "agency", "code": b.health_code,
                      "name": f"NHS {b.name} Safeguarding Children Service", "agency_kind": "health",
                      "borough": b.ons_code})
    for b in selected:
        for school in school_list(b.ons_code):
            lines.append({"kind": "agency", "code": school.agency_code, "name": school.name,
                          "agency_kind": "school", "borough": b.ons_code})
    return lines
