"""True people and households, and each agency's imperfect copy of a person (the error model)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from . import names as N
from .calibration import ErrorRates
from .reference import INWARD_LETTERS

YEAR = 365.2425

# Person.flags
RSO = 1
IIOC = 2
DA_VICTIM = 4
DA_PERP = 8
UASC = 16
ADOPTED = 32
CSA_SUSPECT = 64
CSE_PERP = 128
PROBATION = 256

_DAY_CACHE: dict[int, str] = {}
_TIMES = tuple(f"T{m // 60:02d}:{m % 60:02d}:00Z" for m in range(1440))


def day_str(ordinal: int) -> str:
    text = _DAY_CACHE.get(ordinal)
    if text is None:
        text = _DAY_CACHE[ordinal] = date.fromordinal(ordinal).isoformat()
    return text


def ts_str(ts: int) -> str:
    """Format minutes since day 1 of the proleptic calendar as RFC 3339 in UTC."""
    return day_str(ts // 1440) + _TIMES[ts % 1440]


def eighteenth_birthday(dob: int) -> int:
    born = date.fromordinal(dob)
    try:
        return date(born.year + 18, born.month, born.day).toordinal()
    except ValueError:  # born on 29 February
        return date(born.year + 18, 3, 1).toordinal()


class Household:
    """People living at one address. A family's other members are made only when first needed."""

    __slots__ = ("hid", "addr", "_adults", "_children", "comm", "da_year", "da_sev", "spec", "maker")

    def __init__(self, hid: str, addr: tuple[str, str, str, str, str], comm: int) -> None:
        self.hid = hid
        self.addr = addr
        self._adults: list[Person] = []
        self._children: list[Person] = []
        self.comm = comm
        self.da_year = -9
        self.da_sev = 0.0
        self.spec: tuple | None = None  # type: ignore[type-arg]  # members not yet made
        self.maker: Callable[[Household], None] | None = None  # called to make them

    @property
    def adults(self) -> list[Person]:
        if self.spec is not None:
            self.maker(self)  # type: ignore[misc]
        return self._adults

    @property
    def children(self) -> list[Person]:
        if self.spec is not None:
            self.maker(self)  # type: ignore[misc]
        return self._children

    @property
    def made(self) -> list[Person]:
        """The members made so far, without making the rest."""
        return self._adults + self._children


class Person:
    __slots__ = (
        "pid", "sex", "given", "middle", "family", "alt", "comm", "dob", "adult_at", "hh", "addrs", "nhs",
        "school", "recs", "seen", "dead", "flags",
        # history, by simulated year index
        "miss", "miss_last", "miss_y", "expl", "expl_last", "cp_last", "cp_end", "cp_cat", "lac",
        "sus", "sus_last", "vic_last", "ca_last", "ca_sexual", "s_y", "v_y", "mark", "unborn_until",
    )

    pid: str
    sex: str
    given: str
    middle: str
    family: str
    alt: tuple[str, ...]
    comm: int
    dob: int  # day ordinal
    adult_at: int  # day ordinal of the 18th birthday
    hh: Household | None
    addrs: list[tuple[str, str, str, str, str]]  # line1, postcode, town, UPRN, borough; the last is current
    nhs: str | None
    # A tag (year * 10 + step) that lets a step tell whom it has already chosen this year
    # without a set: iterating sets of objects would make the output depend on memory addresses.
    mark: int

    def __init__(self) -> None:
        self.recs: dict[str, list[str]] | None = None
        self.seen = False
        self.dead = 0
        self.flags = 0
        self.school: object = None
        self.miss = 0
        self.miss_last = -9
        self.miss_y = 0
        self.expl = 0
        self.expl_last = -9
        self.cp_last = -9
        self.cp_end = 0
        self.cp_cat = ""
        self.lac: list | None = None  # type: ignore[type-arg]
        self.sus = 0
        self.sus_last = -9
        self.vic_last = -9
        self.ca_last = -9
        self.ca_sexual = False
        self.s_y = -9
        self.v_y = -9
        self.mark = -9
        self.unborn_until = 0

    @property
    def female(self) -> bool:
        return self.sex == "female"

    def child_on(self, day: int) -> bool:
        return self.dob <= day < self.adult_at and (not self.dead or day < self.dead)

    def alive_on(self, day: int) -> bool:
        return self.dob <= day and (not self.dead or day < self.dead)


_KEYBOARD = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm",
    "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji", "v": "cfgb",
    "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}


def typo(name: str, r: float, r2: float) -> str:
    """Make one realistic keying mistake in a name: substitute, drop, double or transpose a letter."""
    positions = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(positions) < 3:
        return name
    # Keying slips rarely hit the first letter, which the eye checks.
    i = positions[1 + int(r2 * (len(positions) - 1))]
    ch = name[i]
    if r < 0.35:
        near = _KEYBOARD.get(ch.lower(), "e")
        sub = near[int(r2 * 97) % len(near)]
        sub = sub.upper() if ch.isupper() else sub
        return name[:i] + sub + name[i + 1:]
    if r < 0.6:
        return name[:i] + name[i + 1:]
    if r < 0.8:
        return name[:i] + ch + name[i:]
    if i + 1 < len(name) and name[i + 1].isalpha():
        return name[:i] + name[i + 1] + ch + name[i + 2:]
    return name[:i] + name[i + 1:]


def postcode_typo(postcode: str, r: float, r2: float) -> str:
    """Get one character of the inward code wrong, keeping the district (the outward code)."""
    outward, inward = postcode.split(" ")
    if r < 0.4:
        inward = str((int(inward[0]) + (1 if r2 < 0.5 else 9)) % 10) + inward[1:]
    elif r < 0.7:
        inward = inward[0] + inward[2] + inward[1]
    else:
        letter = INWARD_LETTERS[int(r2 * len(INWARD_LETTERS))]
        inward = inward[:2] + letter if r < 0.85 else inward[0] + letter + inward[2]
    return f"{outward} {inward}"


def shifted_dob(dob: str, r: float) -> str:
    """A date of birth with the day or the year one out, still a real date."""
    born = date.fromisoformat(dob)
    if r < 0.6:
        return (born + timedelta(days=1 if r < 0.3 else -1)).isoformat()
    try:
        return born.replace(year=born.year + (1 if r < 0.8 else -1)).isoformat()
    except ValueError:
        return dob


SYSTEMS = {"police": "CONNECT", "childrens_social_care": "Mosaic", "school": "SIMS", "health": "SystmOne",
           "probation": "nDelius"}
LEGAL_BASIS = {"police": "dpa2018_part3", "childrens_social_care": "children_act_1989_s47",
               "school": "children_act_2004_s11", "health": "dpa2018_sch8_para4",
               "probation": "crime_disorder_act_1998_s115"}


def agency_copy(p: Person, agency: str, kind: str, source_id: str, rates: ErrorRates, rnd,  # noqa: ANN001
                fallback_borough: str, school_urn: str | None = None, unborn: bool = False) -> dict:
    """Return one agency's person line for p, with that agency's errors drawn at their rates."""
    r = rnd
    given = p.given
    family = p.family
    if p.alt and r() < rates.family_variant:
        family = p.alt[int(r() * len(p.alt))]
    elif "-" in family and r() < rates.family_variant * 3:
        parts = family.split("-")
        family = parts[0] if r() < 0.5 else (parts[1] if r() < 0.7 else " ".join(parts))
    if r() < rates.nickname:
        variants = N.NICKNAMES.get(given)
        if variants:
            given = variants[int(r() * len(variants))]
    given_names = given if (not p.middle or r() < rates.middle_dropped) else f"{given} {p.middle}"
    if r() < rates.typo:
        if r() < 0.5:
            given_names = typo(given_names, r(), r())
        else:
            family = typo(family, r(), r())
    swap = rates.swapped * (2.5 if N.COMMUNITIES[p.comm].code in N.ORDER_CONFUSED else 1.0)
    if r() < swap:
        given_names, family = family, given_names
    line: dict = {"kind": "person", "agency": agency, "source_id": source_id, "source_system": SYSTEMS[kind]}
    if unborn:
        line["given_names"] = "Unborn"
        line["family_name"] = family
        line["date_of_birth"] = None
    else:
        line["given_names"] = given_names
        line["family_name"] = family
        if rates.alias and r() < rates.alias:
            variants = N.NICKNAMES.get(p.given)
            alias = (f"{variants[0]} {p.family}" if variants and r() < 0.5
                     else f"{p.given} {p.alt[0] if p.alt else typo(p.family, r(), r())}")
            line["aliases"] = [alias]
        x = r()
        dob = day_str(p.dob)
        cut = rates.dob_missing
        if x < cut:
            if r() < 0.5:
                line["date_of_birth"] = None
        else:
            if x < (cut := cut + rates.dob_year_only):
                dob = dob[:4]
            elif x < (cut := cut + rates.dob_month_only):
                dob = dob[:7]
            elif x < (cut := cut + rates.dob_transposed):
                if int(dob[8:]) <= 12 and dob[5:7] != dob[8:]:
                    dob = f"{dob[:4]}-{dob[8:]}-{dob[5:7]}"
            elif x < cut + rates.dob_typo:
                dob = shifted_dob(dob, r())
            line["date_of_birth"] = dob
    sex = p.sex
    if r() < rates.sex_unknown:
        sex = "unknown"
    line["sex"] = sex
    addrs = p.addrs
    if addrs and r() >= rates.no_address:
        a = addrs[-1]
        if len(addrs) > 1 and r() < rates.old_address:
            a = addrs[-2]
        postcode = a[1]
        if r() < rates.postcode_typo:
            postcode = postcode_typo(postcode, r(), r())
        if r() < rates.postcode_format:
            postcode = postcode.replace(" ", "") if r() < 0.6 else postcode.lower()
        address = {"line1": a[0], "town": a[2], "postcode": postcode}
        if r() < rates.uprn:
            address["uprn"] = a[3]
        line["address"] = address
        line["borough"] = a[4]
    else:
        line["borough"] = fallback_borough
    if rates.nhs_number and r() < rates.nhs_number and not unborn:
        nhs = p.nhs or ""
        line["nhs_number"] = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}" if r() < 0.4 else nhs
    if school_urn:
        line["school_urn"] = school_urn
    line["legal_basis"] = LEGAL_BASIS[kind]
    return line
