"""Simulate one borough's families and what the agencies record about them, year by year.

Each borough is simulated on its own with its own random stream (seeded from the run's seed
and the borough's ONS code), so boroughs can run in parallel and the output stays the same.
Calibrated figures are hit by construction: the simulation first chooses exactly the right
number of children for a role (victims, suspects, children on plans...) from those whose
history makes them likelier (repeat missing, exploited, looked after, in an abusive
household), fills the rest with new families, and then writes events around them.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections import Counter
from datetime import date
from heapq import nlargest

import orjson

from . import names as N
from .calibration import ERROR_RATES, SAFEGUARD, TARGETS, VOLUMES
from .people import (
    ADOPTED,
    CSA_SUSPECT,
    CSE_PERP,
    DA_PERP,
    DA_VICTIM,
    IIOC,
    PROBATION,
    RSO,
    UASC,
    YEAR,
    Household,
    Person,
    agency_copy,
    day_str,
    eighteenth_birthday,
    ts_str,
)
from .reference import INWARD_LETTERS, Borough, borough_by_code, london_children, schools

DAY = 1440
FEED_ORDER = ("met", "csc", "schools", "health", "probation")  # csc-<ons> feeds sort by their prefix

EVENT_SYSTEMS = {
    "crime": "CRIS", "domestic_abuse_incident": "CRIS", "missing_episode": "COMPACT",
    "custody_detention": "NSPIS Custody", "rso_registration": "ViSOR", "iioc_investigation": "CAID",
    "exploitation_assessment": "MERLIN", "stop_and_search": "CONNECT", "hate_crime": "CRIS",
    "modern_slavery_referral": "CRIS", "radicalisation_referral": "Prevent Case Management",
    "child_death": "CRIS", "child_protection_plan": "Mosaic", "looked_after_period": "Mosaic",
    "contact": "Mosaic", "school_concern": "CPOMS", "health_attendance": "SystmOne", "fgm_report": "SystmOne",
}
RECORD_PREFIX = {"police": "MP", "childrens_social_care": "CS", "health": "NH", "probation": "PB"}
ID_PREFIX = {
    "crime": "CR", "domestic_abuse_incident": "DA", "missing_episode": "MI", "custody_detention": "CU",
    "rso_registration": "RS", "iioc_investigation": "II", "exploitation_assessment": "EX",
    "stop_and_search": "SS", "hate_crime": "HC", "modern_slavery_referral": "MS",
    "radicalisation_referral": "PR", "child_death": "CD", "child_protection_plan": "CP",
    "looked_after_period": "LA", "contact": "CT", "school_concern": "SC", "health_attendance": "HA",
    "fgm_report": "FG",
}

# (category, weight, offences)
PEER_CRIMES = (("robbery", 0.30, ("Robbery of personal property",)),
               ("violence_against_the_person", 0.45, ("Assault with injury", "Common assault",
                                                      "Wounding with intent (GBH)")),
               ("sexual", 0.05, ("Sexual assault", "Sexual activity with a child")),
               ("theft", 0.10, ("Theft from the person",)),
               ("public_order", 0.04, ("Public fear, alarm or distress",)),
               ("online", 0.06, ("Malicious communications", "Sharing indecent image of a child")))
ADULT_ON_CHILD = (("violence_against_the_person", 0.45, ("Assault with injury", "Common assault")),
                  ("robbery", 0.12, ("Robbery of personal property",)),
                  ("sexual", 0.08, ("Sexual assault on a child under 13", "Sexual assault")),
                  ("theft", 0.15, ("Theft from the person",)),
                  ("online", 0.10, ("Sexual communication with a child", "Malicious communications")),
                  ("other", 0.10, ("Harassment", "Child abduction")))
UNKNOWN_ON_CHILD = (("robbery", 0.3, ("Robbery of personal property",)),
                    ("theft", 0.4, ("Theft from the person", "Theft of a pedal cycle")),
                    ("violence_against_the_person", 0.2, ("Assault with injury",)),
                    ("online", 0.1, ("Malicious communications",)))
CHILD_ON_ADULT = (("robbery", 0.35, ("Robbery of personal property",)),
                  ("theft", 0.25, ("Theft from the person", "Theft of a motor vehicle")),
                  ("violence_against_the_person", 0.30, ("Assault with injury", "Common assault")),
                  ("burglary", 0.10, ("Burglary - residential",)))
NO_VICTIM = (("drugs", 0.30, ("Possession of cannabis", "Possession with intent to supply class A")),
             ("weapons", 0.20, ("Possession of a bladed article", "Possession of an offensive weapon")),
             ("theft", 0.20, ("Shoplifting",)),
             ("criminal_damage", 0.15, ("Criminal damage to a vehicle", "Criminal damage to a building")),
             ("public_order", 0.15, ("Affray", "Public fear, alarm or distress")))
CCE_NO_VICTIM = (("drugs", 0.55, ("Possession with intent to supply class A", "Being concerned in supply")),
                 ("weapons", 0.30, ("Possession of a bladed article",)),
                 ("public_order", 0.15, ("Affray",)))
ADULT_CRIMES = (("violence_against_the_person", 0.40, ("Assault with injury", "Common assault",
                                                        "Grievous bodily harm")),
                ("theft", 0.15, ("Theft from the person", "Shoplifting")),
                ("robbery", 0.05, ("Robbery of personal property",)),
                ("burglary", 0.08, ("Burglary - residential", "Burglary - business")),
                ("criminal_damage", 0.08, ("Criminal damage to a vehicle",)),
                ("drugs", 0.10, ("Possession with intent to supply class A", "Possession of cannabis")),
                ("weapons", 0.04, ("Possession of a bladed article",)),
                ("public_order", 0.05, ("Affray",)),
                ("sexual", 0.03, ("Sexual assault",)),
                ("other", 0.02, ("Fraud by false representation",)))
NO_VICTIM_CATEGORIES = frozenset({"drugs", "weapons", "public_order"})
SERIOUS = {"robbery": 2.5, "weapons": 2.5, "violence_against_the_person": 1.5, "drugs": 1.5, "sexual": 2.0,
           "rape": 3.0, "burglary": 1.0}
OUTCOMES = ("Charged", "Charged", "No further action: evidential difficulties",
            "Victim does not support further action", "Caution", "Community resolution",
            "Investigation complete: no suspect identified")
FOUND = ("Returned home of own accord", "Found at a friend's address", "Found by police in the street",
         "Found at a known associate's address", "Found at a hospital", "Returned to placement",
         "Found out of force area")
CCE_FOUND = ("Found out of force area (county lines)", "Found at a known trap house",
             "Found in a car with older males", "Found by British Transport Police at a railway station")
PRESENT_WHERE = ("in the same room", "in the next room", "upstairs in bed", "in the kitchen",
                 "on the stairs", "in the garden", "at the front door when police arrived")
CHILD_VOICE = ("Child said they were scared and hid in their bedroom.",
               "Child said mummy and daddy were shouting again.",
               "Child said this happens a lot and they want it to stop.",
               "Child did not want to talk to officers.",
               "Child said they tried to stop the argument.",
               "Child asked if their dad would be going to prison.")
RSO_OFFENCES = ("Sexual assault (Sexual Offences Act 2003 s3)", "Rape (Sexual Offences Act 2003 s1)",
                "Making indecent photographs of a child", "Possession of indecent images of children",
                "Sexual activity with a child (s9)", "Exposure (s66)", "Voyeurism (s67)",
                "Causing or inciting a child to engage in sexual activity (s10)")
CAUSES = ("Perinatal or neonatal event", "Chromosomal, genetic and congenital anomalies",
          "Sudden unexpected, unexplained death", "Trauma and other external factors",
          "Malignancy", "Acute medical or surgical condition", "Infection")
SUSPICIOUS_CAUSES = ("Deliberately inflicted injury, abuse or neglect", "Trauma and other external factors",
                     "Suicide or deliberate self-inflicted harm")
PLACEMENTS = (("Foster placement with other foster carer", 0.70), ("Foster placement with relative or friend", 0.10),
              ("Children's home", 0.11), ("Semi-independent living accommodation", 0.06),
              ("Placed with own parents", 0.03))
CP_NEW_FAMILY = (("neglect", 0.55), ("emotional", 0.30), ("physical", 0.07), ("multiple", 0.05), ("sexual", 0.03))
CP_DA = (("emotional", 0.65), ("neglect", 0.20), ("multiple", 0.15))
CP_PHYSICAL = (("physical", 0.70), ("multiple", 0.20), ("emotional", 0.10))
CP_SEXUAL = (("sexual", 0.70), ("multiple", 0.30))


def _cum(table):  # type: ignore[no-untyped-def]
    total = 0.0
    out = []
    for row in table:
        total += row[1]
        out.append(total)
    return tuple(out)


class BoroughSimulation:
    """All the families of one borough that agencies come to know, over the simulated years."""

    def __init__(self, borough: Borough, selected: tuple[Borough, ...], seed: int, scale: float,
                 years: list[tuple[int, int]]) -> None:
        self.b = borough
        self.bi = borough.index
        self.ons = borough.ons_code
        self.rng = random.Random(f"lantern-generate-v1:{seed}:{self.ons}")  # noqa: S311 - synthetic data
        self.qrng = random.Random(f"lantern-generate-quota-v1:{seed}:{self.ons}")  # noqa: S311
        self.r = self.rng.random
        self.share = borough.children / london_children() * scale
        self.years = years
        self.sim_end = years[-1][1]
        self.end_ts = self.sim_end * DAY
        others = [b for b in selected if b is not borough]
        self.others = others
        cum = 0.0
        self.others_cum = []
        for b in others:
            cum += b.children
            self.others_cum.append(cum)
        self.by_code = borough_by_code()
        self.schools = schools()
        self.counters: Counter[str] = Counter()
        self.persons: list[Person] = []
        self.households: list[Household] = []
        self.child_pool: list[Person] = []
        self.kids: list[Person] = []
        # Children any agency holds a record of: the only ones whose history can raise a risk.
        self.known: list[Person] = []
        self.dyads: list[list] = []  # type: ignore[type-arg]  # [victim, perp, household, severity, last year]
        self.rso_regs: list[list] = []  # type: ignore[type-arg]  # [offender, start, end]
        self.cp_plans: list[list] = []  # type: ignore[type-arg]  # [child, start, end]
        self.lac_periods: list[list] = []  # type: ignore[type-arg]  # [child, start, end, la, adopted]
        self.ever_suspects: list[Person] = []
        self.cse_perps: list[Person] = []
        self.adult_pool: list[Person] = []  # adult victims of crime, who may be victims again
        self.custody_suites: dict[str, dict[str, str]] = {}
        self.stats: Counter[str] = Counter()
        self._reset_chunk()

    # ----------------------------------------------------------------- randomness and quotas

    def quota(self, name: str, y: int) -> int:
        """This borough's share of a London-wide yearly figure, rounded without bias."""
        if name in TARGETS:
            target = TARGETS[name]
            value = target.value * (1 + target.growth) ** y
        else:
            value = VOLUMES[name][0]
        x = value * self.share
        whole = math.floor(x)
        return whole + (1 if self.qrng.random() < x - whole else 0)

    def pick(self, table, cum):  # type: ignore[no-untyped-def]
        row = table[bisect_right(cum, self.r() * cum[-1])]
        return row

    def choice(self, seq):  # type: ignore[no-untyped-def]
        return seq[int(self.r() * len(seq))]

    def uniform_day(self, lo: int, hi: int) -> int:
        return lo + int(self.r() * (hi - lo))

    def evening_minute(self) -> int:
        # Most incidents fall between late afternoon and the small hours.
        return (15 * 60 + int(self.r() ** 0.8 * 12 * 60)) % DAY if self.r() < 0.7 else int(self.r() * DAY)

    def office_minute(self) -> int:
        return 8 * 60 + int(self.r() * 10 * 60)

    def new_id(self, prefix: str) -> str:
        n = self.counters[prefix] = self.counters[prefix] + 1
        return f"{prefix}{self.bi:02d}{n:07d}"

    # ----------------------------------------------------------------- places and people

    def other_borough(self) -> str:
        if not self.others:
            return self.ons
        i = bisect_right(self.others_cum, self.r() * self.others_cum[-1])
        return self.others[i].ons_code

    def new_address(self, ons: str | None = None) -> tuple[str, str, str, str, str]:
        b = self.by_code[ons] if ons else self.b
        r = self.r
        district = b.districts[bisect_right(b.district_cum_weights, r() * b.district_cum_weights[-1])]
        inward = f"{int(r() * 10)}{INWARD_LETTERS[int(r() * 20)]}{INWARD_LETTERS[int(r() * 20)]}"
        stem = N.STREET_STEMS[int(r() * len(N.STREET_STEMS))]
        x = r()
        if x < 0.25:
            line1 = f"{1 + int(r() * 120)} {stem} {N.ESTATE_BLOCKS[int(r() * len(N.ESTATE_BLOCKS))]}"
        elif x < 0.45:
            street = f"{N.STREET_STEMS[int(r() * len(N.STREET_STEMS))]} {self.choice(N.STREET_SUFFIXES)}"
            line1 = f"Flat {1 + int(r() * 12)}, {1 + int(r() * 200)} {street}"
        else:
            line1 = f"{1 + int(r() * 240)} {stem} {self.choice(N.STREET_SUFFIXES)}"
        self.counters["uprn"] += 1
        uprn = f"100{self.bi:02d}{self.counters['uprn']:07d}"
        return (line1, f"{district} {inward}", b.town(district), uprn, b.ons_code)

    def street_location(self, ons: str) -> dict[str, str]:
        b = self.by_code[ons]
        r = self.r
        district = b.districts[bisect_right(b.district_cum_weights, r() * b.district_cum_weights[-1])]
        inward = f"{int(r() * 10)}{INWARD_LETTERS[int(r() * 20)]}{INWARD_LETTERS[int(r() * 20)]}"
        street = f"{N.STREET_STEMS[int(r() * len(N.STREET_STEMS))]} {self.choice(N.STREET_SUFFIXES)}"
        return {"line1": street, "town": b.town(district), "postcode": f"{district} {inward}"}

    @staticmethod
    def location(addr: tuple[str, str, str, str, str]) -> dict[str, str]:
        return {"line1": addr[0], "town": addr[2], "postcode": addr[1], "uprn": addr[3]}

    def custody_suite(self, ons: str) -> dict[str, str]:
        suite = self.custody_suites.get(ons)
        if suite is None:
            b = self.by_code[ons]
            loc = self.street_location(ons)
            short = b.name.split(" and ")[0].replace("City of London", "Bishopsgate")
            suite = {"line1": f"{short} Police Station", "town": loc["town"], "postcode": loc["postcode"]}
            self.custody_suites[ons] = suite
        return suite

    def pick_comm(self) -> int:
        return bisect_right(N.COMMUNITY_CUM, self.r() * N.COMMUNITY_CUM[-1])

    def new_household(self, comm: int, ons: str | None = None) -> Household:
        self.counters["hh"] += 1
        hh = Household(f"H{self.bi:02d}{self.counters['hh']:07d}", self.new_address(ons), comm)
        self.households.append(hh)
        return hh

    def nhs_of(self, p: Person) -> str:
        if p.nhs is None:
            p.nhs = self.next_nhs()
        return p.nhs

    def next_nhs(self) -> str:
        # A bijective scramble of a counter within this borough's block: unique, and valid by
        # the modulus 11 check (numbers whose check digit would be 10 are never issued).
        while True:
            self.counters["nhs"] += 1
            digits = str(400_000_000 + (self.bi - 1) * 3_000_000 + (self.counters["nhs"] * 1_234_577) % 3_000_000)
            o = [ord(ch) - 48 for ch in digits]
            total = 10 * o[0] + 9 * o[1] + 8 * o[2] + 7 * o[3] + 6 * o[4] + 5 * o[5] + 4 * o[6] + 3 * o[7] + 2 * o[8]
            check = (11 - total % 11) % 11
            if check != 10:
                return digits + str(check)

    def person(self, sex: str, dob: int, comm: int, family: str, hh: Household | None,
               alt: tuple[str, ...] = ()) -> Person:
        r = self.r
        p = Person()
        self.counters["person"] += 1
        p.pid = f"P{self.bi:02d}{self.counters['person']:07d}"
        p.sex = sex
        c = N.COMMUNITIES[comm]
        pool = c.female if sex == "female" else c.male
        p.given = pool.pick(r())
        middle = pool.pick(r()) if r() < 0.35 else ""
        p.middle = middle if middle != p.given else ""
        p.family = family
        p.alt = alt
        p.comm = comm
        p.dob = dob
        p.adult_at = eighteenth_birthday(dob)
        p.hh = hh
        p.addrs = [hh.addr] if hh is not None else []
        p.nhs = None  # issued when first needed: most people never reach a health or care record
        self.persons.append(p)
        return p

    def surname(self, comm: int) -> str:
        return N.COMMUNITIES[comm].surnames.pick(self.r())

    def add_child(self, hh: Household, sex: str, dob: int, family: str, alt: tuple[str, ...] = ()) -> Person:
        c = N.COMMUNITIES[hh.comm]
        child = self.person(sex, dob, hh.comm, N.surname_for(c, family, sex == "female"), hh, alt)
        hh._children.append(child)
        self.child_pool.append(child)
        if child.adult_at > self.ys:
            self.kids.append(child)
        return child

    def new_family(self, day: int, age_lo: float = 0, age_hi: float = 17.9, male_p: float = 0.5,
                   couple: bool | None = None, comm: int | None = None) -> tuple[Household, Person]:
        """Create a household around a child of the given age on `day`: parents, step-parents, siblings.

        Only the child is made now; the family's shape and names are fixed, and the others are
        made when something first needs them (see make_members).
        """
        r = self.r
        comm = self.pick_comm() if comm is None else comm
        hh = self.new_household(comm)
        c = N.COMMUNITIES[comm]
        target_dob = day - max(1, int((age_lo + r() * (age_hi - age_lo)) * YEAR))
        dobs = [target_dob]
        x = r()
        n_sib = 0 if x < 0.33 else 1 if x < 0.68 else 2 if x < 0.87 else 3 if x < 0.96 else 4
        for _ in range(n_sib):
            gap = int((1.3 + r() * 3.2) * YEAR)
            dob = max(dobs) + gap if r() < 0.5 else min(dobs) - gap
            if dob >= day - 14:
                dob = min(dobs) - gap
            if day - dob < 17.5 * YEAR:
                dobs.append(dob)
        eldest = min(dobs)
        s = r()
        if couple is True:
            structure = "couple" if s < 0.7 else "step"
        elif couple is False:
            structure = "lone_mother"
        else:
            structure = ("lone_mother" if s < 0.42 else "lone_father" if s < 0.47
                         else "step" if s < 0.70 else "couple")
        father_comm = comm if r() < 0.9 else self.pick_comm()
        mother_dob = eldest - int((19 + r() * 17) * YEAR)
        maiden = self.surname(comm)
        father_name = self.surname(father_comm)
        mother_female = N.surname_for(c, maiden, True)
        adults: list[tuple[str, int, int, str, tuple[str, ...]]] = []  # sex, dob, community, surname, others
        kids: list[tuple[int, str, tuple[str, ...]]] = []  # dob, surname, other surnames
        kids_alt: tuple[str, ...]
        if structure == "couple":
            father = ("male", mother_dob - int((r() * 6 - 1) * YEAR), father_comm, father_name, ())
            if r() < 0.55:
                adults += [("female", mother_dob, comm, N.surname_for(c, father_name, True), (mother_female,)),
                           father]
                kids_name, kids_alt = father_name, ()
            else:
                adults += [("female", mother_dob, comm, mother_female, ()), father]
                kids_name, kids_alt = ((f"{father_name}-{maiden}", (father_name,)) if r() < 0.2
                                       else (father_name, ()))
            kids = [(dob, kids_name, kids_alt) for dob in dobs]
        elif structure == "lone_father":
            adults.append(("male", mother_dob - int(r() * 4 * YEAR), father_comm, father_name, ()))
            kids = [(dob, father_name, ()) for dob in dobs]
        else:
            absent_name = self.surname(father_comm)
            kids_name = absent_name if r() < 0.55 else maiden
            if structure == "step":
                step_name = self.surname(comm if r() < 0.8 else self.pick_comm())
                joined = eldest + int(r() * max(1, day - eldest))
                took = r() < 0.35
                adults += [("female", mother_dob, comm, N.surname_for(c, step_name, True) if took else mother_female,
                            (mother_female,) if took else ()),
                           ("male", mother_dob - int((r() * 8 - 2) * YEAR), comm, step_name, ())]
                # Children from before the step-parent are known at times by the step-parent's surname.
                kids = [(dob, step_name, ()) if dob > joined and dob != target_dob
                        else (dob, kids_name, (step_name,)) for dob in dobs]
            else:
                adults.append(("female", mother_dob, comm, mother_female, ()))
                kids = [(dob, kids_name, ()) for dob in dobs]
        _, family, alt = kids[0]
        target = self.add_child(hh, "male" if r() < male_p else "female", target_dob, family, alt)
        hh.spec = (adults, kids[1:])
        hh.maker = self.make_members
        return hh, target

    def make_members(self, hh: Household) -> None:
        """Make the members of a household that nobody needed until now."""
        adults, kids = hh.spec  # type: ignore[misc]
        hh.spec = None
        r = self.r
        made = []
        for sex, dob, comm, family, alt in adults:
            made.append(self.person(sex, dob, comm, family, hh, alt))
        hh._adults[:0] = made
        for dob, family, alt in sorted(kids):
            self.add_child(hh, "male" if r() < 0.5 else "female", dob, family, alt)

    def new_adult(self, day: int, sex: str, age_lo: float, age_hi: float, comm: int | None = None,
                  partner: bool = False) -> Person:
        comm = self.pick_comm() if comm is None else comm
        hh = self.new_household(comm)
        c = N.COMMUNITIES[comm]
        age_lo = max(age_lo, 18.05)  # safely past the 18th birthday, whatever the calendar
        dob = day - int((age_lo + self.r() * (max(age_hi, age_lo) - age_lo)) * YEAR)
        p = self.person(sex, dob, comm, N.surname_for(c, self.surname(comm), sex == "female"), hh)
        hh._adults.append(p)
        if partner:
            other = "male" if sex == "female" else "female"
            q = self.person(other, dob + int((self.r() * 8 - 4) * YEAR), comm,
                            N.surname_for(c, self.surname(comm), other == "female"), hh)
            hh._adults.append(q)
        return p

    def adult_partner(self, p: Person) -> Person | None:
        if p.hh is None:
            return None
        for a in p.hh.adults:
            if a is not p and not a.dead:
                return a
        return None

    # ----------------------------------------------------------------- records and events

    def _reset_chunk(self) -> None:
        self.events: dict[str, list[tuple[int, int, dict]]] = {}  # type: ignore[type-arg]
        self.pending: dict[str, dict[tuple[str, str], tuple[dict, Person]]] = {}  # type: ignore[type-arg]
        self.seq = 0

    def rec(self, p: Person, agency: str, kind: str, feed: str, unborn: bool = False,
            school_urn: str | None = None) -> str:
        """Return the source id of the agency's record of p, creating the record (with errors) if new."""
        recs = p.recs
        if recs is None:
            recs = p.recs = {}
            if p.adult_at > self.ys:
                self.known.append(p)
        ids = recs.get(agency)
        rates = ERROR_RATES[kind]
        # Now and then an agency makes a second record for someone it already holds.
        if ids is not None and (len(ids) > 1 or self.r() >= rates.duplicate * 0.5):
            return ids[0] if len(ids) == 1 or self.r() < 0.7 else ids[1]
        if kind == "school":
            self.counters["upn"] += 1
            n = self.counters["upn"]
            sid = f"{INWARD_LETTERS[n % 20]}{300 + self.bi:03d}{n:09d}"
        else:
            sid = self.new_id(RECORD_PREFIX[kind])
        csc_urn = None
        if kind == "childrens_social_care" and p.school is not None and self.r() < 0.3:
            csc_urn = p.school.urn  # type: ignore[attr-defined]
        if rates.nhs_number and p.nhs is None:
            p.nhs = self.next_nhs()
        line = agency_copy(p, agency, kind, sid, rates, self.r, self.ons, school_urn or csc_urn,
                           unborn=unborn)
        if ids is None:
            recs[agency] = [sid]
        else:
            ids.append(sid)
        self.pending.setdefault(feed, {})[(agency, sid)] = (line, p)
        self.stats[f"records:{kind}"] += 1
        return sid

    def met(self, p: Person, role: str) -> dict[str, str]:
        return {"person_source_id": self.rec(p, "met", "police", "met"), "role": role}

    def csc_agency(self, p: Person) -> str:
        if p.lac is not None and p.lac[3]:
            return f"csc-{p.lac[3].lower()}"
        return f"csc-{p.addrs[-1][4].lower()}" if p.addrs else f"csc-{self.ons.lower()}"

    def csc(self, p: Person, role: str, agency: str, unborn: bool = False) -> dict[str, str]:
        return {"person_source_id": self.rec(p, agency, "childrens_social_care", agency, unborn=unborn),
                "role": role}

    def health_agency(self, p: Person) -> str:
        return f"health-{(p.addrs[-1][4] if p.addrs else self.ons).lower()}"

    def emit(self, feed: str, agency: str, etype: str, ts: int, inv: list, attrs: dict,  # type: ignore[type-arg]
             borough: str, location: dict | None = None, reported: int | None = None,  # type: ignore[type-arg]
             narrative: str | None = None) -> dict:  # type: ignore[type-arg]
        sid = self.new_id(ID_PREFIX[etype])
        d: dict = {"kind": "event", "agency": agency, "source_id": sid,  # type: ignore[type-arg]
                   "source_system": EVENT_SYSTEMS[etype], "type": etype, "occurred_at": ts_str(ts)}
        if reported is not None:
            d["reported_at"] = ts_str(max(ts, min(reported, self.end_ts - 1)))
        d["borough"] = borough
        if location is not None:
            d["location"] = location
        d["involvements"] = inv
        d["attributes"] = attrs
        if narrative:
            d["narrative"] = narrative
        self.seq += 1
        self.events.setdefault(feed, []).append((ts, self.seq, d))
        self.stats[f"events:{etype}"] += 1
        return d

    def flush(self) -> dict[str, list[bytes]]:
        """Serialise this year's lines: each feed in time order, each person line before its first use."""
        out: dict[str, list[bytes]] = {}
        truth: list[bytes] = []
        dumps = orjson.dumps
        feeds = sorted(set(self.events) | set(self.pending),
                       key=lambda f: (FEED_ORDER.index(f.split("-")[0]), f))
        for feed in feeds:
            pending = self.pending.get(feed, {})
            events = self.events.get(feed, [])
            events.sort()  # by time, then the order written: (ts, seq) is unique, so dicts never compare
            body: list[bytes] = []
            for _, _, d in events:
                agency = d["agency"]
                for inv in d["involvements"]:
                    found = pending.pop((agency, inv["person_source_id"]), None)
                    if found is not None:
                        body.append(self._person_line(found, truth))
                body.append(dumps(d))
            head = [self._person_line(found, truth) for found in pending.values()]
            out[feed] = head + body
        out["truth"] = truth
        self._reset_chunk()
        return out

    def _person_line(self, found: tuple[dict, Person], truth: list[bytes]) -> bytes:  # type: ignore[type-arg]
        line, p = found
        p.seen = True
        truth.append(b'{"agency":"%s","source_id":"%s","person_id":"%s"}' % (
            line["agency"].encode(), line["source_id"].encode(), p.pid.encode()))
        return orjson.dumps(line)

    def truth_people(self) -> list[bytes]:
        """The true identity of everyone any agency holds, as the simulation ends."""
        lines = []
        for p in self.persons:
            if not p.seen:
                continue
            lines.append(orjson.dumps({
                "person_id": p.pid, "given_names": f"{p.given} {p.middle}" if p.middle else p.given,
                "family_name": p.family, "other_family_names": list(p.alt), "date_of_birth": day_str(p.dob),
                "sex": p.sex, "nhs_number": self.nhs_of(p), "household_id": p.hh.hid if p.hh else None,
                "postcodes": [a[1] for a in p.addrs],
                "died_on": day_str(p.dead) if p.dead else None,
            }))
        return lines

    def close(self) -> None:
        """Break the links between people, households and care periods, so memory frees without a collection."""
        for hh in self.households:
            hh._adults = []
            hh._children = []
            hh.maker = None
            hh.spec = None
        for p in self.persons:
            p.lac = None
            p.hh = None
        self.households.clear()
        self.persons.clear()
        self.lac_periods.clear()

    # ----------------------------------------------------------------- the year

    def window(self, p: Person, min_age: float = 0.0) -> tuple[int, int]:
        lo = max(self.ys, p.dob + int(min_age * YEAR) + 1)
        hi = min(self.ye, p.adult_at)
        if p.dead:
            hi = min(hi, p.dead)
        return lo, hi

    def ts_in(self, p: Person, min_age: float = 0.0, evening: bool = True) -> int | None:
        lo, hi = self.window(p, min_age)
        if hi <= lo:
            return None
        return self.uniform_day(lo, hi) * DAY + (self.evening_minute() if evening else self.office_minute())

    def year_ts(self, evening: bool = True) -> int:
        return self.uniform_day(self.ys, self.ye) * DAY + (self.evening_minute() if evening else self.office_minute())

    def run_year(self, y: int) -> dict[str, list[bytes]]:
        self.y = y
        self.ys, self.ye = self.years[y]
        self.child_pool = [p for p in self.child_pool if p.adult_at > self.ys and not p.dead]
        if y > 0:
            self.dynamics()
        self.kids = [p for p in self.child_pool if p.dob < self.ye]
        self.known = [p for p in self.known if p.adult_at > self.ys and not p.dead]
        self.y_da: list[tuple[int, Household, list[Person], Person, int]] = []
        self.y_missing: list[Person] = []
        self.y_high_missing: list[tuple[int, Person]] = []
        self.y_cp: list[tuple[int, Person, str]] = []
        self.y_ca: list[tuple[int, Person, bool]] = []
        self.y_expl: list[tuple[int, Person, str]] = []
        self.y_online: list[tuple[int, Person]] = []
        self.y_child_sus: list[tuple[int, Person, str, str, str]] = []
        self.y_probation: list[Person] = []
        self.y_rapes = [0, 0]
        self.step_domestic_abuse()
        self.step_child_protection()
        self.step_looked_after()
        self.step_missing()
        self.step_exploitation()
        self.step_child_crime()
        self.step_custody()
        self.step_adult_crime()
        self.step_sex_offenders()
        self.step_indecent_images()
        self.step_other_police()
        self.step_child_deaths()
        self.step_schools()
        self.step_health()
        self.step_contacts()
        self.step_probation()
        return self.flush()

    # ----------------------------------------------------------------- household dynamics

    def dynamics(self) -> None:
        """Moves, separations, new partners, births and returns from care between years."""
        r = self.r
        ys = self.ys
        for period in self.lac_periods:
            child, _, end, _, adopted = period
            if end is not None and end < ys and child.lac is period:
                child.lac = None
                if not adopted and child.hh is not None and not child.dead:
                    child.addrs.append(child.hh.addr)
        for hh in list(self.households):
            x = r()
            if x < 0.09:
                ons = self.ons if r() < 0.85 else self.other_borough()
                hh.addr = self.new_address(ons)
                for m in hh.made:
                    if not m.dead and (m.lac is None):
                        m.addrs.append(hh.addr)
                continue
            if hh.spec is not None or not (hh._adults or hh._children):
                continue  # family changes only where the family has been made
            if x < 0.12 and len(hh.adults) >= 2 and hh.children:
                # Parents separate: the man moves out, now and then with one of the children.
                leaver = next((a for a in hh.adults if a.sex == "male"), None)
                if leaver is None or leaver.dead:
                    continue
                new = self.new_household(leaver.comm)
                hh.adults.remove(leaver)
                new._adults.append(leaver)
                leaver.hh = new
                leaver.addrs.append(new.addr)
                if r() < 0.15:
                    kids = [c for c in hh.children if c.adult_at > ys and c.lac is None and not c.dead]
                    if kids:
                        c = self.choice(kids)
                        hh.children.remove(c)
                        new._children.append(c)
                        c.hh = new
                        c.addrs.append(new.addr)
            elif x < 0.15 and len(hh.adults) == 1 and hh.adults[0].sex == "female" and hh.children:
                mother = hh.adults[0]
                step_name = self.surname(hh.comm)
                step = self.person("male", mother.dob - int((r() * 8 - 2) * YEAR), hh.comm, step_name, hh)
                hh._adults.append(step)
                if r() < 0.25:
                    c = N.COMMUNITIES[mother.comm]
                    mother.alt = (*mother.alt, mother.family)
                    mother.family = N.surname_for(c, step_name, True)
            elif x < 0.20 and hh.children:
                mum = next((a for a in hh.adults if a.sex == "female" and not a.dead), None)
                if mum is not None and 19 * YEAR < ys - mum.dob < 42 * YEAR:
                    family = hh.children[-1].family if hh.children else mum.family
                    self.add_child(hh, "male" if r() < 0.5 else "female", self.uniform_day(ys, self.ye),
                                   family.replace("ska", "ski") if family.endswith("ska") else family)

    # ----------------------------------------------------------------- domestic abuse

    def step_domestic_abuse(self) -> None:
        r = self.r
        y = self.y
        n = self.quota("da_incidents", y)
        plan: list[tuple[list, int]] = []  # type: ignore[type-arg]
        total = 0
        for d in self.dyads:
            if d[4] == y - 1 and not d[0].dead and not d[1].dead and r() < 0.35 + 0.3 * d[3]:
                k = self.da_count(d[3])
                plan.append((d, k))
                total += k
        while total < n:
            d = self.new_dyad()
            k = self.da_count(d[3])
            plan.append((d, k))
            total += k
        excess = total - n
        while excess > 0 and plan:
            d, k = plan.pop()
            if k > excess:
                plan.append((d, k - excess))
                excess = 0
            else:
                excess -= k
        for d, k in plan:
            d[4] = y
            victim, perp, hh, sev = d[0], d[1], d[2], d[3]
            days = sorted(self.uniform_day(self.ys, self.ye) for _ in range(k))
            hh.da_year = y
            hh.da_sev = max(hh.da_sev, sev)
            victim.flags |= DA_VICTIM
            perp.flags |= DA_PERP
            for day in days:
                self.da_incident(day, victim, perp, hh, sev)

    def da_count(self, sev: float) -> int:
        x = self.r()
        k = 1 if x < 0.62 else 2 if x < 0.82 else 3 if x < 0.91 else 4 + int(self.r() * 3)
        return k + (1 if sev > 0.7 and self.r() < 0.5 else 0)

    def new_dyad(self) -> list:  # type: ignore[type-arg]
        r = self.r
        sev = r() ** 1.7
        day = self.ys
        if r() < 0.62:
            hh = None
            if r() < 0.3:
                for _ in range(12):
                    cand = self.choice(self.households) if self.households else None
                    if (cand is not None and cand.spec is None and len(cand.adults) >= 2 and cand.children
                            and cand.da_year < 0
                            and not any(a.dead for a in cand.adults)):
                        hh = cand
                        break
            if hh is None:
                hh, _ = self.new_family(day)
            women = [a for a in hh.adults if a.sex == "female"]
            men = [a for a in hh.adults if a.sex == "male"]
            if women and men:
                victim, perp = (women[0], men[0]) if r() < 0.88 else (men[0], women[0])
            elif women:
                victim = women[0]
                perp = self.new_adult(day, "male", 20, 50, comm=hh.comm)  # an ex-partner living elsewhere
            else:
                victim = men[0]
                perp = self.new_adult(day, "female", 20, 50, comm=hh.comm)
        else:
            victim = self.new_adult(day, "female" if r() < 0.85 else "male", 18, 65, partner=r() < 0.8)
            hh = victim.hh
            partner = self.adult_partner(victim)
            perp = partner if partner is not None else self.new_adult(
                day, "male" if victim.sex == "female" else "female", 18, 65, comm=victim.comm)
        d = [victim, perp, hh, sev, -1]
        self.dyads.append(d)
        return d

    def da_incident(self, day: int, victim: Person, perp: Person, hh: Household, sev: float) -> None:
        r = self.r
        ts = day * DAY + self.evening_minute()
        children = [c for c in hh.children if c.child_on(day) and c.lac is None]
        present = [c for c in children if r() < 0.55]
        yes = sum(1 for _ in range(27) if r() < 0.08 + 0.5 * sev)
        attrs: dict = {"police_reference": self.new_id("DAR")}  # type: ignore[type-arg]
        if r() < 0.7:
            answers = {}
            yes_set = sorted(int(r() * 27) + 1 for _ in range(yes))
            chosen: list[int] = []
            for q in yes_set:
                while q in chosen:
                    q = q % 27 + 1
                chosen.append(q)
            for q in range(1, 28):
                answers[f"q{q}"] = "yes" if q in chosen else ("no" if r() < 0.88 else "dont_know")
            attrs["dash_answers"] = answers
        attrs["dash_yes_count"] = yes
        attrs["dash_risk"] = "high" if yes >= 14 else "medium" if yes >= 10 else "standard"
        attrs["children_present"] = bool(present)
        if present:
            attrs["children_present_where"] = self.choice(PRESENT_WHERE)
            if r() < 0.4:
                attrs["childs_voice"] = self.choice(CHILD_VOICE)
        attrs["non_fatal_strangulation"] = r() < 0.04 + 0.3 * sev
        inv = [self.met(victim, "victim"), self.met(perp, "suspect")]
        for c in children:
            inv.append(self.met(c, "child_present" if c in present else "associate"))
        addr = victim.addrs[-1] if victim.addrs else hh.addr
        self.emit("met", "met", "domestic_abuse_incident", ts, inv, attrs, addr[4], self.location(addr),
                  reported=ts + int(r() * 90))
        self.y_da.append((ts, hh, children, victim, yes))
        if r() < 0.4:
            offence = ("Assault occasioning actual bodily harm (domestic)" if r() < 0.6
                       else "Common assault (domestic)")
            self.crime(ts + 5, "violence_against_the_person", offence, [victim], [perp], addr[4],
                       self.location(addr), domestic=True)
            if r() < 0.3:
                self.y_probation.append(perp)
        if r() < 0.25:
            self.custody(ts + 30 + int(r() * 300), perp, "Assault (domestic)", addr[4])

    # ----------------------------------------------------------------- crime helpers

    def crime(self, ts: int, category: str, offence: str, victims: list[Person], suspects: list[Person],
              borough: str, location: dict | None, domestic: bool = False,  # type: ignore[type-arg]
              child_abuse: bool = False, extra: list | None = None, delay: int = 0) -> dict:  # type: ignore[type-arg]
        r = self.r
        inv = [self.met(v, "victim") for v in victims] + [self.met(s, "suspect") for s in suspects]
        if extra:
            inv += extra
        attrs: dict = {"crime_reference": self.new_id("CRN"), "offence": offence,  # type: ignore[type-arg]
                       "category": category}
        if domestic or category == "rape" or r() < 0.3:
            attrs["domestic_setting"] = domestic
        if child_abuse:
            attrs["child_abuse"] = True
        closed = ts < (self.sim_end - 120) * DAY and r() < 0.7
        attrs["status"] = "closed" if closed else "open"
        if closed:
            attrs["outcome"] = self.choice(OUTCOMES) if suspects else OUTCOMES[-1]
        if category == "rape":
            self.y_rapes[0] += 1
            self.y_rapes[1] += 1 if domestic else 0
        reported = ts + (delay or int(r() * 240))
        return self.emit("met", "met", "crime", ts, inv, attrs, borough, location, reported=reported)

    def custody(self, ts: int, p: Person, arrested_for: str, borough: str, child: bool = False) -> dict:  # type: ignore[type-arg]
        r = self.r
        ts = min(ts, self.end_ts - 1)
        if child:
            ts = min(ts, p.adult_at * DAY - 1)
        charged = r() < (0.3 if child else 0.4)
        released = ts + 180 + int(r() * 1600)
        attrs: dict = {"custody_reference": self.new_id("CUS"), "arrested_for": arrested_for,  # type: ignore[type-arg]
                       "detained_at": ts_str(ts),
                       "released_at": ts_str(released) if released < self.end_ts else None,
                       "charged": charged}
        if charged:
            attrs["charge"] = arrested_for
            x = r()
            attrs["bail_decision"] = "bailed" if x < 0.55 else "refused" if x < 0.72 else "pending"
        else:
            x = r()
            attrs["bail_decision"] = ("released_under_investigation" if x < 0.5 else "no_further_action"
                                      if x < 0.85 else "bailed" if x < 0.95 else "pending")
        if child:
            attrs["appropriate_adult"] = r() < 0.96
        self.emit("met", "met", "custody_detention", ts, [self.met(p, "detainee")], attrs, borough,
                  self.custody_suite(borough))
        return attrs

    def home_borough(self, p: Person) -> str:
        return p.addrs[-1][4] if p.addrs else self.ons

    def include(self, candidates: list[tuple[Person, float]]) -> list[Person]:
        """Keep each candidate with its probability, in a shuffled (but reproducible) order."""
        r = self.r
        chosen = [p for p, prob in candidates if r() < prob]
        self.rng.shuffle(chosen)
        return chosen

    @staticmethod
    def combine(*probs: float) -> float:
        q = 1.0
        for p in probs:
            q *= 1.0 - p
        return 1.0 - q

    def lac_in_year(self, p: Person) -> bool:
        lac = p.lac
        return lac is not None and lac[1] < self.ye and (lac[2] is None or lac[2] >= self.ys)

    # ----------------------------------------------------------------- child protection plans

    def cp_duration(self) -> int:
        x = self.r()
        if x < 0.2:
            return 60 + int(self.r() * 120)
        if x < 0.6:
            return 180 + int(self.r() * 185)
        if x < 0.92:
            return 365 + int(self.r() * 365)
        return 730 + int(self.r() * 370)

    def step_child_protection(self) -> None:
        r = self.r
        y, ys, ye = self.y, self.ys, self.ye
        q = self.quota("cp_children", y)
        self.cp_plans = [pl for pl in self.cp_plans if pl[2] is None or pl[2] >= ys]
        active = 0
        for pl in self.cp_plans:
            if pl[0].mark != y * 10 + 1:
                pl[0].mark = y * 10 + 1
                pl[0].cp_last = y
                active += 1
        if y == 0:
            stock = round(q * 0.47)
            while active < stock:
                hh, child = self.new_family(ys)
                group = [child] + ([c for c in hh.children if c is not child and c.dob < ys]
                                   if r() < 0.7 else [])
                cat = self.pick(CP_NEW_FAMILY, _CP_NEW_CUM)[0]
                for c in group:
                    if active >= stock:
                        break
                    start = max(c.dob + 1, ys - 1 - int(r() * 540))
                    end = start + self.cp_duration()
                    if end < ys:
                        end = ys + int(r() * 200)
                    self.cp_plan(c, start, end, cat, hh)
                    active += 1
        need = q - active
        if need <= 0:
            return
        # Households whose history makes a plan likelier: abuse at home, abuse last year, a sex offender.
        seen: dict[str, tuple[Household, float, tuple]] = {}  # type: ignore[type-arg]
        for d in self.dyads:
            hh = d[2]
            if d[4] == y and hh is not None and hh.children and hh.hid not in seen:
                seen[hh.hid] = (hh, 0.05 + 0.2 * hh.da_sev, (CP_DA, _CP_DA_CUM))
        for p in self.known:
            if p.ca_last == y - 1 and p.hh is not None and p.hh.hid not in seen:
                seen[p.hh.hid] = (p.hh, 0.3, (CP_SEXUAL, _CP_SEXUAL_CUM) if p.ca_sexual
                                  else (CP_PHYSICAL, _CP_PHYSICAL_CUM))
            elif p.cp_last >= 0 and p.cp_last < y and p.hh is not None and p.hh.hid not in seen:
                seen[p.hh.hid] = (p.hh, 0.06, (CP_NEW_FAMILY, _CP_NEW_CUM))
        for reg in self.rso_regs:
            hh = reg[0].hh
            if hh is not None and hh.children and hh.hid not in seen:
                seen[hh.hid] = (hh, 0.12, (CP_SEXUAL, _CP_SEXUAL_CUM))
        chosen = [(hh, table) for hh, prob, table in seen.values() if r() < prob]
        self.rng.shuffle(chosen)
        stream = iter(chosen)
        while need > 0:
            nxt = next(stream, None)
            table: tuple  # type: ignore[type-arg]  # (categories, cumulative weights)
            if nxt is None:
                hh, _ = self.new_family(ys)
                table = (CP_NEW_FAMILY, _CP_NEW_CUM)
                unborn = r() < 0.04
            else:
                hh, table = nxt
                unborn = False
            eligible = [c for c in hh.children if c.child_on(ye - 1) or c.child_on(ys)]
            eligible = [c for c in eligible if c.mark != y * 10 + 1 and not c.dead]
            if not eligible:
                continue
            cat = self.pick(*table)[0]
            group = eligible if r() < 0.7 else [self.choice(eligible)]
            start = self.uniform_day(ys, ye)
            if unborn and need > len(group):
                mother = next((a for a in hh.adults if a.sex == "female"), None)
                if mother is not None and ys - mother.dob < 44 * YEAR:
                    baby = self.add_child(hh, "male" if r() < 0.5 else "female", start + 20 + int(r() * 130),
                                          group[0].family)
                    baby.unborn_until = baby.dob
                    group = [baby, *group]
            for c in group:
                if need <= 0:
                    break
                s = max(start, c.dob + 1) if not c.unborn_until else start
                if s >= ye or s >= c.adult_at:
                    continue
                self.cp_plan(c, s, s + self.cp_duration(), cat, hh)
                need -= 1

    def cp_plan(self, c: Person, start: int, end: int, cat: str, hh: Household) -> None:
        r = self.r
        end = min(end, c.adult_at - 1)
        c.mark = self.y * 10 + 1
        c.cp_last = self.y
        c.cp_cat = cat
        c.cp_end = end
        plan = [c, start, end, None]
        self.cp_plans.append(plan)
        agency = self.csc_agency(c)
        unborn = bool(c.unborn_until) and start < c.unborn_until
        inv = [self.csc(c, "subject", agency, unborn=unborn)]
        for a in hh.adults[:2]:
            if not a.dead and r() < 0.9:
                inv.append(self.csc(a, "parent_carer", agency))
        attrs: dict = {"category": cat, "start_date": day_str(start),  # type: ignore[type-arg]
                       "end_date": day_str(end) if end < self.sim_end else None}
        if unborn:
            attrs["unborn"] = True
        plan[3] = attrs
        ts = start * DAY + self.office_minute()
        self.emit(agency, agency, "child_protection_plan", ts, inv, attrs, agency[4:].upper(),
                  reported=ts + int(r() * 600))
        if start >= self.ys:
            self.y_cp.append((start, c, cat))

    # ----------------------------------------------------------------- looked-after children

    def step_looked_after(self) -> None:
        r = self.r
        y, ys, ye = self.y, self.ys, self.ye
        if y == 0:
            for _ in range(self.quota("lac_stock", y)):
                age = self.lac_age()
                hh, child = self.new_family(ys, age, min(17.95, age + 1))
                start = max(child.dob + 1, ys - 30 - int(r() * min(6 * YEAR, ys - child.dob)))
                self.looked_after(child, min(start, ys - 1), ys)
        starts = self.quota("lac_starts", y)
        cands = []
        for p in self.known:
            if p.lac is not None and (p.lac[2] is None or p.lac[2] >= ys) or p.dead:
                continue
            prob = 0.0
            if p.cp_last == y:
                prob = 0.18 if p.cp_cat in ("neglect", "sexual", "multiple") else 0.1
            if p.miss_last == y - 1 and ys - p.dob > 13 * YEAR:
                prob = self.combine(prob, 0.05)
            if prob:
                cands.append((p, prob))
        chosen = self.include(cands)
        n = 0
        for p in chosen:
            if n >= starts:
                break
            lo = max(ys, p.dob + 1)
            hi = min(ye, p.adult_at - 1)
            if hi <= lo:
                continue
            self.looked_after(p, self.uniform_day(lo, hi), lo)
            n += 1
        while n < starts:
            if r() < 0.1:
                # An unaccompanied asylum-seeking child: no family here, age often disputed.
                comm = N.COMMUNITY_INDEX[self.choice(("en_PK", "sw", "en_KE", "tr_TR", "en_IN"))]
                hh = self.new_household(comm)
                dob = ys - int((15 + r() * 2.9) * YEAR)
                if r() < 0.6:
                    # Age assessed, not known: the Home Office's convention of 1 January.
                    dob = date(date.fromordinal(dob).year, 1, 1).toordinal()
                child = self.add_child(hh, "male" if r() < 0.9 else "female", dob, self.surname(comm))
                child.flags |= UASC
            else:
                age = self.lac_age()
                _, child = self.new_family(ys, age, min(17.5, age + 1))
            lo = max(ys, child.dob + 1)
            hi = min(ye, child.adult_at - 1)
            if hi <= lo:
                continue
            self.looked_after(child, self.uniform_day(lo, hi), lo)
            n += 1

    def lac_age(self) -> float:
        x = self.r()
        return (self.r() * 4 if x < 0.18 else 4 + self.r() * 5 if x < 0.38
                else 9 + self.r() * 6 if x < 0.78 else 15 + self.r() * 2.5)

    def looked_after(self, child: Person, start: int, not_before: int, status: str | None = None,
                     placement: str | None = None, end: int | None = None) -> None:
        r = self.r
        age = (start - child.dob) / YEAR
        la = self.home_borough(child)
        if status is None:
            if child.flags & UASC:
                status = "s20_voluntary"
            elif age < 1.5:
                status = "interim_care_order" if r() < 0.6 else "placement_order"
            elif age >= 14:
                status = "s20_voluntary" if r() < 0.55 else "care_order"
            else:
                x = r()
                status = ("care_order" if x < 0.45 else "interim_care_order" if x < 0.7
                          else "s20_voluntary" if x < 0.95 else "police_protection")
        if placement is None:
            placement = self.pick(PLACEMENTS, _PLACEMENT_CUM)[0]
            if placement.startswith("Semi") and age < 16:
                placement = PLACEMENTS[0][0]
        adopted = False
        if end is None:
            x = r()
            if x < 0.35:
                end = start + 60 + int(r() * 480)
            elif x < 0.45 and age < 5:
                end = start + 300 + int(r() * 500)
                adopted = True
            else:
                end = child.adult_at - 1
        end = max(end, not_before)
        end = min(end, child.adult_at - 1)
        if placement == "Placed with own parents" and child.hh is not None:
            addr = child.hh.addr
        else:
            addr = self.new_address(self.ons if r() < 0.6 else self.other_borough())
        period = [child, start, end, la, adopted]
        child.lac = period
        child.addrs.append(addr)
        self.lac_periods.append(period)
        agency = f"csc-{la.lower()}"
        attrs = {"legal_status": status, "placement_type": placement, "start_date": day_str(start),
                 "end_date": day_str(end) if end < self.sim_end else None}
        ts = start * DAY + self.office_minute()
        self.emit(agency, agency, "looked_after_period", ts, [self.csc(child, "subject", agency)], attrs, la)
        if adopted and end < self.sim_end:
            # Adopted children take their new family's surname and address.
            child.flags |= ADOPTED
            child.alt = (*child.alt, child.family)
            child.family = self.surname(self.pick_comm())
            new = self.new_household(child.comm)
            new._children.append(child)
            if child.hh is not None and child in child.hh.children:
                child.hh.children.remove(child)
            child.hh = new
            child.addrs.append(new.addr)

    # ----------------------------------------------------------------- missing children

    def episode_count(self, p: Person) -> int:
        x = self.r()
        k = 1 if x < 0.55 else 2 if x < 0.70 else 3 + int(self.r() * 3) if x < 0.87 else (
            6 + int(self.r() * 5) if x < 0.96 else 11 + int(self.r() * 20))
        boost = 1.0
        if p.miss_last == self.y - 1:
            boost += 0.12 * min(p.miss, 12)
        if self.lac_in_year(p):
            boost += 0.8
        if p.expl:
            boost += 0.6
        return max(1, min(45, round(k * boost)))

    def step_missing(self) -> None:
        r = self.r
        y, ys = self.y, self.ys
        episodes_left = self.quota("missing_episodes", y)
        total = episodes_left
        cands = []
        for p in self.known:
            if p.dead or p.adult_at <= ys or self.ye - p.dob < 6 * YEAR:
                continue
            age = (ys - p.dob) / YEAR
            prob = 0.0
            if p.miss:
                prob = 0.3 + 0.03 * min(p.miss, 15) if p.miss_last == y - 1 else 0.08
            if age >= 10 and self.lac_in_year(p):
                prob = self.combine(prob, 0.16)
            if p.expl and p.expl_last >= y - 1:
                prob = self.combine(prob, 0.35)
            if p.cp_last == y and age >= 11:
                prob = self.combine(prob, 0.05)
            if p.sus_last == y - 1:
                prob = self.combine(prob, 0.04)
            if p.hh is not None and p.hh.da_year == y and age >= 11:
                prob = self.combine(prob, 0.015)
            if prob:
                cands.append((p, prob))
        stream = iter(self.include(cands))
        eps: list[tuple[dict, Person, float]] = []  # type: ignore[type-arg]
        while episodes_left > 0:
            nxt = next(stream, None)
            if nxt is not None:
                p = nxt
            else:
                age = 12 + r() * 5.9 if r() < 0.85 else 6 + r() * 6
                _, p = self.new_family(ys, age, min(17.95, age + 0.5))
            lo, hi = self.window(p, 6)
            if hi <= lo:
                continue
            k = min(self.episode_count(p), episodes_left, hi - lo)
            episodes_left -= k
            p.miss += k
            p.miss_y = k
            p.miss_last = y
            self.y_missing.append(p)
            lac = self.lac_in_year(p)
            weight = (1 + 4 * bool(p.expl) + 2 * ((lo - p.dob) < 13 * YEAR) + 1 * lac
                      + 0.2 * min(k, 10))
            for day in sorted(self.uniform_day(lo, hi) for _ in range(k)):
                eps.append((self.missing_episode(p, day, lac), p, weight))
        n_high = round(TARGETS["missing_high_share"].value * total)
        keyed = nlargest(n_high, range(len(eps)), key=lambda i: r() ** (1.0 / eps[i][2]))
        high = [False] * len(eps)
        for i in keyed:
            high[i] = True
        for i, (attrs, p, _) in enumerate(eps):
            if high[i]:
                grade = "high"
                rationale = self.choice(("Child at risk of exploitation; last seen with older males.",
                                         "Very young child; no contact; vulnerable.",
                                         "Believed to be at risk of significant harm; expressed "
                                         "thoughts of self-harm."))
            else:
                x = r()
                if p.expl:
                    grade = "medium" if x < 0.65 else "low" if x < 0.9 else "very_low"
                elif p.dob > self.ys - 13 * YEAR:
                    grade = "medium" if x < 0.7 else "low"
                else:
                    grade = "medium" if x < 0.35 else "low" if x < 0.85 else "very_low"
                rationale = ("Repeat missing; known associates in the area." if p.miss > 2
                             else "First time missing; no known risks.")
            attrs["risk_grade"] = grade
            attrs["risk_rationale"] = rationale
            if grade == "high":
                self.y_high_missing.append((int(attrs.pop("_ts")), p))
            else:
                attrs.pop("_ts")

    def missing_episode(self, p: Person, day: int, lac: bool) -> dict:  # type: ignore[type-arg]
        r = self.r
        ts = day * DAY + self.evening_minute()
        x = r()
        dur = (120 + int(r() * 1320) if x < 0.5 else 1440 + int(r() * 2880) if x < 0.85
               else 4320 + int(r() * 5760) if x < 0.97 else 10080 + int(r() * 30000))
        returned = ts + dur
        reported = ts + 30 + int(r() * min(600, dur // 2 + 30))
        cce = p.expl & 1
        attrs: dict = {"_ts": ts, "reported_missing_at": ts_str(min(reported, self.end_ts - 1))}  # type: ignore[type-arg]
        if returned < self.end_ts:
            attrs["returned_at"] = ts_str(returned)
            attrs["found_location"] = self.choice(CCE_FOUND if cce and r() < 0.5 else FOUND)
            x = r()
            offered = (returned + 60 + int(r() * 4200) if x < 0.85
                       else returned + 4320 + int(r() * 10000) if x < 0.95 else None)
            attrs["return_interview_offered_at"] = (ts_str(offered) if offered is not None
                                                    and offered < self.end_ts else None)
        else:
            attrs["returned_at"] = None
            attrs["return_interview_offered_at"] = None
        inv = [self.met(p, "missing_person")]
        if not lac and p.hh is not None:
            carers = [a for a in p.hh.adults if not a.dead]
            if carers:
                inv.append(self.met(self.choice(carers), "reporting_person"))
        addr = p.addrs[-1] if p.addrs else None
        borough = addr[4] if addr else self.ons
        event_attrs: dict = {"risk_grade": "low"}  # type: ignore[type-arg]
        event_attrs.update(attrs)
        self.emit("met", "met", "missing_episode", ts, inv, event_attrs, borough,
                  self.location(addr) if addr else None, reported=reported)
        return event_attrs

    # ----------------------------------------------------------------- exploitation

    def step_exploitation(self) -> None:
        r = self.r
        y = self.y
        q_cse = self.quota("cse_children", y)
        q_cce = self.quota("cce_children", y)
        cse, cce = [], []
        for p in self.known:
            if p.dead or p.adult_at <= self.ys or self.ye - p.dob < 10 * YEAR:
                continue
            k = p.miss_y if p.miss_last == y else 0
            girl = p.sex == "female"
            ps = pc = 0.0
            if p.expl & 2 and p.expl_last >= y - 1:
                ps = 0.45
            if p.expl & 1 and p.expl_last >= y - 1:
                pc = 0.45
            if k:
                ps = self.combine(ps, 0.08 + 0.035 * min(k, 12) if girl else 0.015 + 0.008 * min(k, 12))
                pc = self.combine(pc, 0.02 + 0.01 * min(k, 12) if girl else 0.06 + 0.03 * min(k, 12))
            if p.ca_last == y - 1 and p.ca_sexual:
                ps = self.combine(ps, 0.05)
            if p.sus_last == y - 1:
                pc = self.combine(pc, 0.04)
            if self.lac_in_year(p) and self.ys - p.dob > 12 * YEAR:
                ps = self.combine(ps, 0.04 if girl else 0.01)
                pc = self.combine(pc, 0.04 if not girl else 0.01)
            if ps:
                cse.append((p, ps))
            if pc:
                cce.append((p, pc))
        chosen_sex = self.include(cse)[:q_cse]
        for p in chosen_sex:
            p.mark = y * 10 + 2
        while len(chosen_sex) < q_cse:
            age = 12 + r() * 5.9
            _, p = self.new_family(self.ys, age, min(17.95, age + 0.5), male_p=0.15)
            p.mark = y * 10 + 2
            chosen_sex.append(p)
        chosen_crim = [p for p in self.include(cce) if p.mark != y * 10 + 2][:q_cce]
        while len(chosen_crim) < q_cce:
            age = 13 + r() * 4.9
            _, p = self.new_family(self.ys, age, min(17.95, age + 0.5), male_p=0.8)
            chosen_crim.append(p)
        for p in chosen_sex:
            self.assessment(p, "both" if r() < 0.18 else "sexual")
        for p in chosen_crim:
            self.assessment(p, "criminal")

    def assessment(self, p: Person, kind: str) -> None:
        r = self.r
        lo, hi = self.window(p, 10)
        if hi <= lo:
            lo, hi = self.window(p, 0)
            if hi <= lo:
                return
        day = self.uniform_day(lo, hi)
        young = (day - p.dob) < 13 * YEAR
        x = r() - 0.05 * min(p.miss_y if p.miss_last == self.y else 0, 6)
        grade = "high" if x < 0.28 else "medium" if x < 0.7 else "low"
        if young and grade == "low":
            grade = "medium"  # London protocol: no child under 13 may be graded low
        missing = p.miss_last == self.y
        chances = ({"sexual_health": 0.5, "absent": 0.9 if missing else 0.2, "familial_abuse": 0.15,
                    "emotional_physical": 0.4, "gangs_older_associates": 0.45, "technology": 0.55,
                    "alcohol_drugs": 0.4, "unexplained_gifts": 0.35, "distrust_of_authority": 0.4}
                   if kind != "criminal" else
                   {"sexual_health": 0.05, "absent": 0.9 if missing else 0.3, "familial_abuse": 0.1,
                    "emotional_physical": 0.3, "gangs_older_associates": 0.8, "technology": 0.3,
                    "alcohol_drugs": 0.6, "unexplained_gifts": 0.5, "distrust_of_authority": 0.5})
        indicators = [i for i in SAFEGUARD if r() < chances[i]] or ["absent"]
        attrs = {"exploitation_type": kind, "grade": grade, "safeguard_indicators": indicators,
                 "assessed_on": day_str(day)}
        addr = p.addrs[-1] if p.addrs else None
        self.emit("met", "met", "exploitation_assessment", day * DAY + self.office_minute(),
                  [self.met(p, "subject")], attrs, addr[4] if addr else self.ons)
        p.expl |= 1 if kind == "criminal" else (2 if kind == "sexual" else 3)
        p.expl_last = self.y
        self.y_expl.append((day, p, kind))
        if r() < 0.2 and day + 30 < hi:
            later = self.uniform_day(day + 30, hi)
            attrs2 = dict(attrs, assessed_on=day_str(later), grade=self.choice(("medium", "high")))
            self.emit("met", "met", "exploitation_assessment", later * DAY + self.office_minute(),
                      [self.met(p, "subject")], attrs2, addr[4] if addr else self.ons)

    # ----------------------------------------------------------------- crimes involving children

    def step_child_crime(self) -> None:
        r = self.r
        y, ys = self.y, self.ys
        q_s = self.quota("child_suspects", y)
        q_v = self.quota("child_victims", y)
        q_ca = self.quota("child_abuse_crimes", y)
        q_csa = min(self.quota("child_sexual_abuse_crimes", y), q_ca)

        # Suspects: children whose history makes offending likelier, then new ones.
        cands = []
        for p in self.known:
            if p.dead or p.adult_at <= ys or self.ye - p.dob < 10.2 * YEAR:
                continue
            prob = 0.0
            if p.sus:
                prob = 0.4 + 0.05 * min(p.sus, 6) if p.sus_last == y - 1 else 0.15
            if p.expl & 1 and p.expl_last == y:
                prob = self.combine(prob, 0.8)
            elif p.expl & 2 and p.expl_last == y:
                prob = self.combine(prob, 0.15)
            if p.miss_last == y:
                prob = self.combine(prob, 0.22 + 0.03 * min(p.miss_y, 10))
            if self.lac_in_year(p) and ys - p.dob > 12 * YEAR:
                prob = self.combine(prob, 0.12)
            if p.cp_last == y and ys - p.dob > 11 * YEAR:
                prob = self.combine(prob, 0.06)
            if p.hh is not None and p.hh.da_year == y and ys - p.dob > 12 * YEAR:
                prob = self.combine(prob, 0.05)
            if prob:
                cands.append((p, min(prob, 0.95)))
        suspects = self.include(cands)[:q_s]
        for p in suspects:
            p.s_y = y
        while len(suspects) < q_s:
            age = 10.2 + 7.7 * r() ** 0.6
            hh, p = self.new_family(ys, age, min(17.95, age + 0.3), male_p=0.82)
            p.s_y = y
            suspects.append(p)
            if r() < 0.08 and len(suspects) < q_s:
                for sib in hh.children:
                    if sib is not p and sib.s_y != y and sib.child_on(ys) and ys - sib.dob > 10.2 * YEAR:
                        sib.s_y = y
                        suspects.append(sib)
                        break
        slots: list[Person] = []
        for p in suspects:
            x = r()
            k = 1 if x < 0.64 else 2 if x < 0.81 else 3 if x < 0.89 else 4 + int(r() * 3) if x < 0.97 else (
                7 + int(r() * 6))
            boost = 1.0 + 0.8 * (p.expl & 1 and p.expl_last == y) + 0.4 * (p.miss_y >= 3 and p.miss_last == y)
            boost += 0.3 * (p.sus_last == y - 1)
            slots.extend([p] * max(1, round(k * boost)))
            if p.sus == 0:
                self.ever_suspects.append(p)
        self.rng.shuffle(slots)
        self.slots = slots

        # Child abuse investigations.
        victims_count = 0
        ca_victims: list[Person] = []
        sexual_flags = [True] * q_csa + [False] * (q_ca - q_csa)
        self.rng.shuffle(sexual_flags)
        phys: list[tuple[Person, float]] = []
        sex: list[tuple[Person, float]] = []
        for p in self.known:
            if p.dead or p.adult_at <= ys:
                continue
            pp = ps = 0.0
            if p.cp_last == y:
                if p.cp_cat in ("physical", "multiple"):
                    pp = 0.3
                elif p.cp_cat == "sexual":
                    ps = 0.5
                else:
                    pp = 0.06
            if p.hh is not None and p.hh.da_year == y:
                pp = self.combine(pp, 0.05)
            if p.ca_last == y - 1:
                (sex if p.ca_sexual else phys).append((p, 0.12))
            if p.expl & 2 and p.expl_last == y:
                ps = self.combine(ps, 0.06)
            if pp:
                phys.append((p, pp))
            if ps:
                sex.append((p, ps))
        for reg in self.rso_regs:
            if reg[0].hh is not None:
                sex += [(c, 0.12) for c in reg[0].hh.children if c.adult_at > ys and not c.dead]
        streams = {False: iter(self.include(phys)), True: iter(self.include(sex))}
        for sexual in sexual_flags:
            victim = None
            if ca_victims and r() < 0.12:
                victim = self.choice(ca_victims)
                if victim.dead or victim.adult_at <= ys:
                    victim = None
            while victim is None:
                cand = next(streams[sexual], None)
                if cand is None:
                    if sexual:
                        age = 4 + 13.9 * r() ** 0.7
                        _, cand = self.new_family(ys, age, min(17.95, age + 0.3), male_p=0.2)
                    else:
                        age = r() * 16
                        _, cand = self.new_family(ys, age, min(17.95, age + 0.5))
                if cand.ca_last != y and not cand.dead and cand.adult_at > ys:
                    victim = cand
            ts = self.ts_in(victim, 0.0)
            if ts is None:
                continue
            if victim.v_y != y:
                victim.v_y = y
                victims_count += 1
                ca_victims.append(victim)
            victim.ca_last = y
            victim.ca_sexual = sexual
            victim.vic_last = y
            group = [victim]
            hh = victim.hh
            if hh is not None and r() < 0.1:
                sibs = [c for c in hh.children if c is not victim and c.child_on(ts // DAY)]
                if sibs:
                    sib = self.choice(sibs)
                    group.append(sib)
                    if sib.v_y != y:
                        sib.v_y = y
                        victims_count += 1
                        ca_victims.append(sib)
                    sib.ca_last = y
                    sib.ca_sexual = sexual
            self.child_abuse_crime(ts, group, sexual)
            self.y_ca.append((ts, victim, sexual))

        # Other child victims.
        need = q_v - victims_count
        cands = []
        for p in self.known:
            if p.v_y == y or p.dead or p.adult_at <= ys:
                continue
            prob = 0.0
            if p.expl & 2 and p.expl_last >= y - 1:
                prob = 0.6
            elif p.expl & 1 and p.expl_last >= y - 1:
                prob = 0.3
            if p.miss_last == y:
                prob = self.combine(prob, 0.2 + 0.02 * min(p.miss_y, 10))
            if p.vic_last == y - 1:
                prob = self.combine(prob, 0.12)
            if p.s_y == y:
                prob = self.combine(prob, 0.12)
            if self.lac_in_year(p):
                prob = self.combine(prob, 0.06)
            if prob:
                cands.append((p, prob))
        others = self.include(cands)[:max(0, need)]
        while len(others) < need:
            age = r() * 10 if r() < 0.25 else 10 + r() * 7.9
            _, p = self.new_family(ys, age, min(17.95, age + 0.3), male_p=0.52)
            others.append(p)
        vslots: list[Person] = []
        for p in others:
            p.v_y = y
            p.vic_last = y
            x = r()
            k = 1 if x < 0.86 else 2 if x < 0.96 else 3 if x < 0.99 else 4
            if p.expl & 2 and p.expl_last >= y - 1 and r() < 0.4:
                k += 1
            vslots.extend([p] * k)
        self.rng.shuffle(vslots)
        while vslots:
            v = vslots.pop()
            self.child_victim_crime(v, vslots)

        # Children suspected of crimes against adults or with no victim.
        while self.slots:
            p = self.slots.pop()
            ts = self.ts_in(p, 10)
            if ts is None:
                continue
            group = [p] + self.take_suspects(ts, 0 if r() < 0.55 else 1 if r() < 0.67 else 2, exclude=[p])
            borough = self.home_borough(p)
            if r() < 0.33:
                cat, _, offences = self.pick(CHILD_ON_ADULT, _CHILD_ON_ADULT_CUM)
                victim = self.new_adult(ts // DAY, "male" if r() < 0.5 else "female", 18, 80)
                location = (self.location(victim.addrs[-1]) if cat == "burglary"
                            else self.street_location(borough))
                self.crime(ts, cat, self.choice(offences), [victim], group, borough, location)
            else:
                table = (CCE_NO_VICTIM, _CCE_NO_VICTIM_CUM) if p.expl & 1 else (NO_VICTIM, _NO_VICTIM_CUM)
                cat, _, offences = self.pick(*table)
                self.crime(ts, cat, self.choice(offences), [], group, borough, self.street_location(borough))
            for s in group:
                self.child_suspect_used(ts, s, cat, borough)

    def take_suspects(self, ts: int, n: int, exclude: list[Person], min_age: float = 10) -> list[Person]:
        """Take up to n more child suspects from the remaining slots, each a different child."""
        got: list[Person] = []
        slots = self.slots
        day = ts // DAY
        for _ in range(n):
            for j in range(1, min(12, len(slots)) + 1):
                cand = slots[-j]
                if cand in exclude or cand in got:
                    continue
                if not (cand.dob + int(min_age * YEAR) < day < cand.adult_at) or (cand.dead and day >= cand.dead):
                    continue
                slots.pop(-j)
                got.append(cand)
                break
        return got

    def child_suspect_used(self, ts: int, p: Person, category: str, borough: str) -> None:
        p.sus += 1
        p.sus_last = self.y
        self.y_child_sus.append((ts, p, category, borough, ""))

    def child_abuse_crime(self, ts: int, victims: list[Person], sexual: bool) -> None:
        r = self.r
        victim = victims[0]
        hh = victim.hh
        day = ts // DAY
        adults = [a for a in (hh.adults if hh else []) if not a.dead and a.adult_at <= day]
        men = [a for a in adults if a.sex == "male"]
        women = [a for a in adults if a.sex == "female"]
        suspect = None
        domestic = False
        child_suspect = False
        x = r()
        if sexual:
            rsos = [a for a in men if a.flags & RSO]
            if rsos and x < 0.6:
                suspect, domestic = rsos[0], True
            elif x < 0.3 and men:
                suspect, domestic = self.choice(men), True
            elif x < 0.45:
                # A relative from outside the household: uncle, grandfather, cousin.
                suspect = self.new_adult(day, "male", 18, 70, comm=victim.comm)
                suspect.family = victim.family if r() < 0.5 else suspect.family
                domestic = r() < 0.5
            elif x < 0.72 and self.slots:
                got = self.take_suspects(ts, 1, exclude=victims, min_age=12)
                if got:
                    suspect, child_suspect = got[0], True
            if suspect is None and x < 0.96:
                suspect = self.new_adult(day, "male", 18, 65)
        else:
            if x < 0.4 and women:
                suspect, domestic = women[0], True
            elif x < 0.72 and men:
                suspect, domestic = self.choice(men), True
            elif x < 0.88:
                suspect = self.new_adult(day, "male" if r() < 0.6 else "female", 18, 70, comm=victim.comm)
                domestic = r() < 0.4
        if sexual:
            category = "rape" if r() < 0.3 else "sexual"
            offence = {"rape": ("Rape of a child under 13", "Rape of a female aged under 16"),
                       "sexual": ("Sexual assault on a child under 13", "Sexual activity with a child",
                                  "Sexual activity with a child family member")}[category]
        else:
            category = "violence_against_the_person" if r() < 0.85 else "other"
            offence = (("Cruelty to or neglect of children", "Assault occasioning actual bodily harm",
                        "Grievous bodily harm") if category != "other"
                       else ("Cruelty to or neglect of children (Children and Young Persons Act 1933 s1)",))
        borough = self.home_borough(victim)
        location = self.location(victim.addrs[-1]) if domestic and victim.addrs else self.street_location(borough)
        extra = []
        if women and suspect is not women[0] and r() < 0.4:
            extra.append(self.met(women[0], "parent_carer"))
        delay = int(r() * (60 if sexual else 3) * DAY)
        self.crime(ts, category, self.choice(offence), victims, [suspect] if suspect else [], borough, location,
                   domestic=domestic, child_abuse=True, extra=extra, delay=delay)
        if child_suspect and suspect is not None:
            self.child_suspect_used(ts, suspect, category, borough)
        elif suspect is not None:
            if sexual:
                suspect.flags |= CSA_SUSPECT
            if r() < 0.35:
                self.custody(ts + delay + 60 + int(r() * 2000), suspect, self.choice(offence), borough)
            if r() < 0.25:
                self.y_probation.append(suspect)

    def child_victim_crime(self, v: Person, vslots: list[Person]) -> None:
        r = self.r
        ts = self.ts_in(v, 0)
        if ts is None:
            return
        day = ts // DAY
        borough = self.home_borough(v)
        victims = [v]
        if r() < 0.08:
            for j in range(1, min(8, len(vslots)) + 1):
                other = vslots[-j]
                if other is not v and other.child_on(day):
                    victims.append(vslots.pop(-j))
                    break
        suspects: list[Person] = []
        child_sus: list[Person] = []
        domestic = False
        if v.expl & 2 and v.expl_last >= self.y - 1 and r() < 0.55 and day - v.dob > 10 * YEAR:
            # Sexual exploitation: older men, some of them already known for it.
            for _ in range(1 if r() < 0.7 else 2):
                if self.cse_perps and r() < 0.35:
                    perp = self.choice(self.cse_perps)
                else:
                    perp = self.new_adult(day, "male", 18, 35)
                    perp.flags |= CSE_PERP
                    self.cse_perps.append(perp)
                if perp not in suspects:
                    suspects.append(perp)
            x = r()
            cat = "sexual" if x < 0.6 else "rape" if x < 0.8 else "online"
            offence = {"sexual": "Sexual activity with a child", "rape": "Rape of a female aged under 16",
                       "online": "Causing or inciting a child to engage in sexual activity"}[cat]
        else:
            x = r()
            if x < 0.5 and self.slots and day - v.dob > 8 * YEAR:
                child_sus = self.take_suspects(ts, 1 if r() < 0.5 else 2 if r() < 0.75 else 3, exclude=victims)
            if child_sus:
                cat, _, offences = self.pick(PEER_CRIMES, _PEER_CUM)
                suspects = child_sus
            elif x < 0.82:
                cat, _, offences = self.pick(ADULT_ON_CHILD, _ADULT_ON_CHILD_CUM)
                suspects = [self.new_adult(day, "male" if r() < 0.75 else "female", 18, 50)]
            else:
                cat, _, offences = self.pick(UNKNOWN_ON_CHILD, _UNKNOWN_CUM)
            offence = self.choice(offences)
            if cat == "online":
                self.y_online.append((ts, v))
        self.crime(ts, cat, offence, victims, suspects, borough, self.street_location(borough), domestic=domestic)
        for s in child_sus:
            self.child_suspect_used(ts, s, cat, borough)

    # ----------------------------------------------------------------- custody

    def step_custody(self) -> None:
        r = self.r
        y = self.y
        q = self.quota("custody_children", y)
        pool = self.y_child_sus
        if not pool:
            return

        def weight(entry):  # type: ignore[no-untyped-def]
            ts, p, cat, _, _ = entry
            w = 1.0 + 4.0 * bool(p.expl & 1) + 0.9 * min(p.miss_y if p.miss_last == y else 0, 8)
            w += SERIOUS.get(cat, 0.0) + (1.0 if ts // DAY - p.dob > 15 * YEAR else 0.0)
            return w

        if len(pool) >= q:
            picked = nlargest(q, pool, key=lambda e: r() ** (1.0 / weight(e)))
        else:
            picked = list(pool) + [self.choice(pool) for _ in range(q - len(pool))]
        for ts, p, cat, borough, _ in picked:
            det = min(ts + 30 + int(r() * 2100), self.end_ts - 1, p.adult_at * DAY - 1)
            attrs = self.custody(det, p, cat.replace("_", " "), borough, child=True)
            if attrs.get("bail_decision") == "refused" and r() < 0.5:
                start = min(det // DAY, p.adult_at - 2)
                if start >= self.ys:
                    self.looked_after(p, start, start, status="remand",
                                      placement="Local authority accommodation (PACE s38(6) transfer)",
                                      end=start + 1 + int(r() * 3))

    # ----------------------------------------------------------------- adults

    def step_adult_crime(self) -> None:
        r = self.r
        y, ys = self.y, self.ys
        former = [p for p in self.ever_suspects if p.adult_at <= ys and not p.dead]
        perps = [d[1] for d in self.dyads if not d[1].dead]
        for _ in range(self.quota("adult_crimes", y)):
            day = self.uniform_day(ys, self.ye)
            ts = day * DAY + self.evening_minute()
            x = r()
            if x < 0.3 and former:
                suspect = self.choice(former)
            elif x < 0.38 and perps:
                suspect = self.choice(perps)
            else:
                suspect = self.new_adult(day, "male" if r() < 0.8 else "female", 18, 55)
            if suspect.adult_at > day:
                suspect = self.new_adult(day, "male", 18, 55)
            cat, _, offences = self.pick(ADULT_CRIMES, _ADULT_CRIMES_CUM)
            if cat in NO_VICTIM_CATEGORIES:
                victims = []
            elif r() < 0.25 and self.adult_pool:
                # Some adults are victims again and again.
                victims = [self.choice(self.adult_pool)]
                if victims[0] is suspect or victims[0].dead:
                    victims = []
            else:
                victims = [self.new_adult(day, "male" if r() < 0.5 else "female", 18, 85)]
                self.adult_pool.append(victims[0])
            borough = self.home_borough(suspect)
            self.crime(ts, cat, self.choice(offences), victims, [suspect] if r() < 0.85 else [], borough,
                       self.street_location(borough))
            if r() < 0.2:
                self.custody(ts + 60 + int(r() * 1500), suspect, self.choice(offences), borough)
            if r() < 0.04:
                self.y_probation.append(suspect)
        # Rapes of adults: enough of them in a domestic setting that a third of all rapes are.
        a = self.quota("adult_rapes", y)
        rapes, domestic = self.y_rapes
        want = round((rapes + a) * TARGETS["rape_domestic_share"].value)
        n_dom = max(0, min(a, want - domestic))
        dyads = [d for d in self.dyads if d[0].sex == "female" and d[1].sex == "male" and not d[0].dead]
        for i in range(a):
            day = self.uniform_day(ys, self.ye)
            ts = day * DAY + self.evening_minute()
            if i < n_dom:
                if dyads and r() < 0.7:
                    d = self.choice(dyads)
                    victim, suspect = d[0], d[1]
                else:
                    victim = self.new_adult(day, "female", 18, 60, partner=True)
                    suspect = self.adult_partner(victim) or self.new_adult(day, "male", 18, 60)
                    if suspect.sex != "male":
                        suspect = self.new_adult(day, "male", 18, 60)
                if victim.adult_at > day or suspect.adult_at > day:
                    victim = self.new_adult(day, "female", 18, 60)
                addr = victim.addrs[-1]
                self.crime(ts, "rape", "Rape of a female aged 16 or over", [victim], [suspect], addr[4],
                           self.location(addr), domestic=True, delay=int(r() * 30 * DAY))
            else:
                victim = self.new_adult(day, "female" if r() < 0.92 else "male", 18, 45)
                suspects = [self.new_adult(day, "male", 18, 55)] if r() < 0.8 else []
                borough = self.home_borough(victim)
                self.crime(ts, "rape", "Rape of a female aged 16 or over", [victim], suspects, borough,
                           self.street_location(borough), domestic=False, delay=int(r() * 30 * DAY))
        # Vulnerable adults reported missing.
        for _ in range(self.quota("adult_missing", y)):
            old = r() < 0.4
            day = self.uniform_day(ys, self.ye)
            p = self.new_adult(day, "male" if r() < 0.55 else "female", 65 if old else 18, 92 if old else 45)
            ts = day * DAY + self.evening_minute()
            attrs = {"risk_grade": self.choice(("medium", "medium", "low", "high")),
                     "risk_rationale": "Dementia; not returned from a walk." if old else "Mental health crisis.",
                     "reported_missing_at": ts_str(ts + 60), "returned_at": ts_str(ts + 300 + int(r() * 2000)),
                     "found_location": self.choice(FOUND)}
            addr = p.addrs[-1]
            self.emit("met", "met", "missing_episode", ts, [self.met(p, "missing_person")], attrs, addr[4],
                      self.location(addr), reported=ts + 60)

    def step_sex_offenders(self) -> None:
        r = self.r
        y, ys, ye = self.y, self.ys, self.ye
        last = ye - 1
        target = self.quota("rso_active", y)
        active = 0
        for reg in self.rso_regs:
            p, start, end = reg
            if not p.dead and start <= last and (end is None or end >= last) and p.mark != y * 10 + 3:
                p.mark = y * 10 + 3
                active += 1
        need = target - active
        expired = round(0.06 * target) if y == 0 else 0
        known = []
        if y > 0:
            for p in self.persons:
                if p.flags & (CSA_SUSPECT | CSE_PERP | IIOC) and not p.flags & RSO and not p.dead \
                        and p.adult_at <= ys and r() < 0.12:
                    known.append(p)
            self.rng.shuffle(known)
        stream = iter(known)
        for i in range(max(0, need) + expired):
            p = next(stream, None)
            if p is None:
                age = 18 + 55 * r() ** 1.3
                if r() < 0.22:
                    hh, _ = self.new_family(ys, couple=True)
                    p = next(a for a in hh.adults if a.sex == "male")
                else:
                    p = self.new_adult(ys, "male" if r() < 0.97 else "female", age, age + 1, partner=r() < 0.3)
            x = r()
            length = None if x < 0.5 else int(10 * YEAR) if x < 0.8 else int(7 * YEAR) if x < 0.92 else int(2 * YEAR)
            earliest = p.adult_at
            if y == 0 or i >= need:
                if i >= need:  # came off the register during the year
                    end = self.uniform_day(ys, last)
                    length = length or int(10 * YEAR)
                    start = max(earliest, end - length)
                else:
                    start = max(earliest, ys - 1 - int(r() * 15 * YEAR))
                    if length is not None and start + length < last:
                        start = max(earliest, last - int(r() * length))
                    end = None if length is None else start + length
                    if end is not None and end <= last:
                        end = last + 1 + int(r() * 700)
            else:
                start = self.uniform_day(ys, ye)
                end = None if length is None else start + length
            self.rso_regs.append([p, start, end])
            p.flags |= RSO
            p.mark = y * 10 + 3
            x = r()
            risk = "low" if x < 0.45 else "medium" if x < 0.8 else "high" if x < 0.97 else "very_high"
            mappa = 1 if r() < (0.95 if risk in ("low", "medium") else 0.6) else (2 if r() < 0.85 else 3)
            attrs = {"offence": self.choice(RSO_OFFENCES), "notification_start": day_str(start),
                     "notification_end": day_str(end) if end is not None else None,
                     "risk_grade": risk, "mappa_level": mappa,
                     "offender_manager": f"DC {N.COMMUNITIES[0].surnames.pick(r())}"}
            addr = p.addrs[-1]
            self.emit("met", "met", "rso_registration", start * DAY + self.office_minute(),
                      [self.met(p, "offender")], attrs, addr[4], self.location(addr))
            if start > ys - 7 * YEAR and r() < 0.6:
                self.y_probation.append(p)

    def step_indecent_images(self) -> None:
        r = self.r
        y, ys = self.y, self.ys
        rsos = [reg[0] for reg in self.rso_regs if not reg[0].dead]
        for _ in range(self.quota("iioc_suspects", y)):
            day = self.uniform_day(ys, self.ye)
            x = r()
            previous = False
            if x < 0.08 and rsos:
                p = self.choice(rsos)
                previous = True
            elif x < 0.3:
                hh, _ = self.new_family(day, couple=True)
                p = next(a for a in hh.adults if a.sex == "male")
            else:
                p = self.new_adult(day, "male" if r() < 0.95 else "female", 18, 70, partner=r() < 0.4)
            if p.flags & IIOC and p.mark == y * 10 + 4:
                p = self.new_adult(day, "male", 18, 70)
            p.mark = y * 10 + 4
            p.flags |= IIOC
            kids_home = bool(p.hh and any(c.child_on(day) for c in p.hh.children))
            access = []
            if kids_home:
                access.append("household")
            if r() < 0.06:
                access.append(self.choice(("work", "volunteering")))
            if r() < 0.1:
                access.append("family")
            score = 2 * bool(access) + 2 * previous + r() * 2.2
            priority = ("very_high" if score >= 4.5 else "high" if score >= 3 else "medium" if score >= 1.4
                        else "low")
            closed = day < self.sim_end - 270 and r() < 0.8
            attrs = {"kirat_priority": priority, "access_to_children": bool(access), "access_types": access,
                     "status": "closed" if closed else "open",
                     "referral_source": self.choice(("NCA CEOP referral", "NCMEC CyberTipline via NCA",
                                                     "Local intelligence", "Another force"))}
            addr = p.addrs[-1]
            self.emit("met", "met", "iioc_investigation", day * DAY + self.office_minute(),
                      [self.met(p, "suspect")], attrs, addr[4], self.location(addr))
            if r() < 0.2:
                self.y_probation.append(p)

    def step_other_police(self) -> None:
        r = self.r
        y, ys = self.y, self.ys
        teens = [p for p in self.known if not p.dead and p.adult_at > ys and ys - p.dob > 12 * YEAR]
        likely = [p for p in teens if p.s_y == y or p.expl & 1]
        for _ in range(self.quota("stop_search_children", y)):
            if likely and r() < 0.55:
                p = self.choice(likely)
            else:
                age = 13 + r() * 4.9
                _, p = self.new_family(ys, age, min(17.95, age + 0.5), male_p=0.9)
            ts = self.ts_in(p, 10)
            if ts is None:
                continue
            self.stop_search(ts, p)
        former = [p for p in self.ever_suspects if p.adult_at <= ys and not p.dead]
        for _ in range(self.quota("stop_search_adults", y)):
            day = self.uniform_day(ys, self.ye)
            p = self.choice(former) if former and r() < 0.3 else self.new_adult(day, "male", 18, 45)
            self.stop_search(day * DAY + self.evening_minute(), p)
        for _ in range(self.quota("hate_crimes", y)):
            day = self.uniform_day(ys, self.ye)
            ts = day * DAY + self.evening_minute()
            if r() < 0.8 or not teens:
                victim = self.new_adult(day, "male" if r() < 0.55 else "female", 18, 75)
            else:
                victim = self.choice(teens)
                if not victim.alive_on(day):
                    continue
            inv = [self.met(victim, "victim")]
            if r() < 0.55:
                sus = self.choice(teens) if teens and r() < 0.2 else self.new_adult(day, "male", 18, 60)
                if sus is not victim and sus.alive_on(day):
                    inv.append(self.met(sus, "suspect"))
            x = r()
            strand = ("race" if x < 0.75 else "religion" if x < 0.85 else "sexual_orientation" if x < 0.94
                      else "disability" if x < 0.97 else "transgender" if x < 0.99 else "other")
            borough = self.home_borough(victim)
            self.emit("met", "met", "hate_crime", ts, inv, {"strand": strand, "crime_reference":
                                                             self.new_id("CRN")},
                      borough, self.street_location(borough), reported=ts + int(r() * 600))
        cce = [p for _, p, kind in self.y_expl if kind != "sexual"]
        for i in range(self.quota("modern_slavery", y)):
            day = self.uniform_day(ys, self.ye)
            if cce and i % 2 == 0:
                p = self.choice(cce)
                etype = "criminal"
                if not p.alive_on(day):
                    continue
            else:
                comm = N.COMMUNITY_INDEX[self.choice(("ro_RO", "pl_PL", "lt_LT", "en_NG", "en_IN", "sw",
                                                      "en_PK", "pt_BR"))]
                p = self.new_adult(day, "female" if r() < 0.5 else "male", 18, 50, comm=comm)
                x = r()
                etype = ("labour" if x < 0.4 else "sexual" if x < 0.7 else "domestic_servitude" if x < 0.8
                         else "criminal")
            x = r()
            attrs = {"nrm_referral": r() < 0.9, "exploitation_type": etype,
                     "decision": ("pending" if x < 0.4 else "reasonable_grounds" if x < 0.75
                                  else "conclusive_grounds" if x < 0.9 else "negative")}
            self.emit("met", "met", "modern_slavery_referral", day * DAY + self.office_minute(),
                      [self.met(p, "victim")], attrs, self.home_borough(p))
        for _ in range(self.quota("radicalisation", y)):
            day = self.uniform_day(ys, self.ye)
            if r() < 0.5:
                age = 13 + r() * 4.9
                _, p = self.new_family(ys, age, min(17.95, age + 0.5), male_p=0.85)
                if not p.child_on(day):
                    continue
            else:
                p = self.new_adult(day, "male" if r() < 0.85 else "female", 18, 50)
            x = r()
            attrs = {"concern_type": self.choice(("Extreme right-wing", "Islamist", "Mixed, unclear or unstable",
                                                  "School massacre ideation", "Other")),
                     "vaf_engagement": int(r() * 9), "vaf_intent": int(r() * 4), "vaf_capability": int(r() * 2),
                     "outcome": ("no_further_action" if x < 0.6 else "other_support" if x < 0.85
                                 else "channel" if x < 0.95 else "pending")}
            self.emit("met", "met", "radicalisation_referral", day * DAY + self.office_minute(),
                      [self.met(p, "subject")], attrs, self.home_borough(p))

    def stop_search(self, ts: int, p: Person) -> None:
        r = self.r
        x = r()
        leg = ("misuse_of_drugs_act_s23" if x < 0.55 else "pace_s1" if x < 0.9 else "cjpoa_s60" if x < 0.97
               else "firearms_act_s47" if x < 0.98 else "other")
        x = r()
        outcome = ("nothing_found" if x < 0.72 else "arrest" if x < 0.84 else "community_resolution" if x < 0.93
                   else "penalty_notice" if x < 0.95 else "summons" if x < 0.97 else "other")
        obj = {"misuse_of_drugs_act_s23": "Controlled drugs", "pace_s1": "Offensive weapon",
               "cjpoa_s60": "Offensive weapon", "firearms_act_s47": "Firearm", "other": "Stolen property"}[leg]
        borough = self.home_borough(p)
        self.emit("met", "met", "stop_and_search", ts, [self.met(p, "subject")],
                  {"legislation": leg, "object_of_search": obj, "outcome": outcome}, borough,
                  self.street_location(borough))

    def step_child_deaths(self) -> None:
        r = self.r
        y, ys, ye = self.y, self.ys, self.ye
        share = TARGETS["child_deaths"]
        # Only plans written this year, so the plan's end date can still follow the death.
        on_plan = [pl for pl in self.cp_plans if pl[1] >= ys and ye - pl[0].dob < 3 * YEAR
                   and pl[0].ca_last != y and not pl[0].dead]
        for _ in range(self.quota("child_deaths", y)):
            suspicious = r() < 16 / share.value
            if on_plan and r() < 2 / share.value:
                plan = self.choice(on_plan)
                p = plan[0]
                lo = max(plan[1], p.dob) + 1
                suspicious = r() < 0.5
            else:
                x = r()
                age = r() * 0.9 if x < 0.45 else 1 + r() * 3 if x < 0.55 else 5 + r() * 9 if x < 0.7 else 15 + r() * 2.9
                if suspicious and age < 5:
                    age = r() * 1.5
                elif suspicious:
                    age = 14 + r() * 3.9
                _, p = self.new_family(ys, age, min(17.95, age + 0.1))
                lo = max(ys, p.dob + 1)
                plan = None
            hi = min(ye, p.adult_at)
            if hi <= lo:
                continue
            day = self.uniform_day(lo, hi)
            p.dead = day
            if plan is not None and (plan[2] is None or plan[2] > day):
                plan[2] = day
                plan[3]["end_date"] = day_str(day)
            ts = day * DAY + self.evening_minute()
            inv = [self.met(p, "victim" if suspicious else "subject")]
            if suspicious:
                if day - p.dob < 5 * YEAR and p.hh is not None and p.hh.adults:
                    inv.append(self.met(self.choice(p.hh.adults), "suspect"))
                else:
                    inv.append(self.met(self.new_adult(day, "male", 18, 30), "suspect"))
            attrs = {"suspicious": suspicious, "expected": (not suspicious) and r() < 0.6,
                     "cause_category": self.choice(SUSPICIOUS_CAUSES if suspicious else CAUSES)}
            self.emit("met", "met", "child_death", ts, inv, attrs, self.home_borough(p))

    # ----------------------------------------------------------------- partners' records

    def school_for(self, p: Person, day: int):  # type: ignore[no-untyped-def]
        age = (day - p.dob) / YEAR
        if age < 4 or age >= 18:
            return None
        phase = "primary" if age < 11 else "secondary"
        school = p.school
        if school is not None and (school.phase == phase or school.phase == "special"):  # type: ignore[attr-defined]
            return school
        ons = self.home_borough(p)
        options = self.schools[ons]
        if school is None and self.r() < 0.03:
            phase = "special"
        school = self.choice(options[phase])
        p.school = school
        return school

    def school_concern(self, p: Person, ts: int, category: str) -> None:
        r = self.r
        day = min(max(ts // DAY, self.ys) + 1 + int(r() * 20), self.sim_end - 1)
        if not p.child_on(day):
            return
        school = self.school_for(p, day)
        if school is None:
            return
        agency = school.agency_code
        sid = self.rec(p, agency, "school", "schools", school_urn=school.urn)
        attrs = {"category": category, "dsl_informed": r() < 0.95}
        self.emit("schools", agency, "school_concern", day * DAY + self.office_minute(),
                  [{"person_source_id": sid, "role": "subject"}], attrs, school.ons_code)

    def step_schools(self) -> None:
        r = self.r
        y = self.y
        for p in self.y_missing:
            if p.miss_y >= 2 and r() < 0.45:
                self.school_concern(p, self.ys * DAY + int(r() * (self.ye - self.ys) * DAY), "attendance")
        for day, p, _ in self.y_expl:
            if r() < 0.45:
                self.school_concern(p, day * DAY, "exploitation")
        for ts, p, sexual in self.y_ca:
            x = r()
            if x < 0.25:
                self.school_concern(p, ts - 5 * DAY, "disclosure")
            elif x < 0.4 and not sexual:
                self.school_concern(p, ts, "injury")
        for start, p, cat in self.y_cp:
            if r() < (0.3 if cat == "neglect" else 0.1):
                self.school_concern(p, start * DAY - 30 * DAY, "neglect" if cat == "neglect" else "other")
        for ts, _, children, _, _ in self.y_da:
            for c in children:
                if r() < 0.06:
                    self.school_concern(c, ts, "disclosure" if r() < 0.4 else "other")
        for ts, p in self.y_online:
            if r() < 0.3:
                self.school_concern(p, ts, "online")
        for ts, p, _, _, _ in self.y_child_sus:
            if p.mark != y * 10 + 5 and r() < 0.08:
                p.mark = y * 10 + 5
                self.school_concern(p, ts, "behaviour")

    def health_attendance(self, p: Person, ts: int, setting: str, reason: str, concern: bool = True) -> None:
        ts = max(self.ys * DAY, min(ts, self.end_ts - DAY))
        if not p.alive_on(ts // DAY):
            return
        agency = self.health_agency(p)
        sid = self.rec(p, agency, "health", "health")
        self.emit("health", agency, "health_attendance", ts,
                  [{"person_source_id": sid, "role": "subject"}],
                  {"setting": setting, "reason": reason, "safeguarding_concern": concern}, agency[7:].upper())

    def step_health(self) -> None:
        r = self.r
        y, ys = self.y, self.ys
        for ts, p, sexual in self.y_ca:
            if sexual and r() < 0.35:
                self.health_attendance(p, ts + int(r() * 20 * DAY), "sexual_health", "Sexual assault referral")
            elif not sexual and r() < 0.4:
                self.health_attendance(p, ts + int(r() * 600), "emergency_department",
                                       self.choice(("Fracture", "Bruising", "Burn", "Head injury")))
        for day, p, kind in self.y_expl:
            if kind != "criminal" and r() < 0.35:
                self.health_attendance(p, day * DAY + int(r() * 30 * DAY), "sexual_health",
                                       "Sexual health screen")
            elif r() < 0.15:
                self.health_attendance(p, day * DAY + int(r() * 30 * DAY), "emergency_department",
                                       "Stab wound" if kind == "criminal" and r() < 0.3 else "Intoxication")
        for p in self.y_missing:
            if p.miss_y >= 3 and r() < 0.15:
                self.health_attendance(p, self.year_ts(False), "mental_health", "Self-harm")
        for start, p, _ in self.y_cp:
            if start - p.dob < YEAR and r() < 0.7:
                self.health_attendance(p, max(start, p.dob + 10) * DAY + self.office_minute(), "health_visitor",
                                       "New birth visit", concern=True)
        for ts, _, _, victim, yes in self.y_da:
            if r() < 0.06 + 0.01 * max(0, yes - 10):
                self.health_attendance(victim, ts + 600, "emergency_department", "Assault")
        for reg in self.rso_regs:
            p = reg[0]
            if p.hh is not None and p.mark == y * 10 + 3:
                for c in p.hh.children:
                    if c.child_on(ys) and r() < 0.5:
                        self.health_attendance(c, self.year_ts(False), "gp", "Routine", concern=False)
        for p in self.kids[::97]:
            if p.child_on(ys) and r() < 0.3:
                self.health_attendance(p, self.year_ts(False), self.choice(("gp", "school_nurse", "urgent_care")),
                                       "Routine", concern=False)
        # Female genital mutilation: mandatory reports about girls from affected communities.
        for _ in range(self.quota("fgm_reports", y)):
            comm = N.COMMUNITY_INDEX[self.choice(N.FGM_COMMUNITIES)]
            hh, girl = self.new_family(ys, 0, 17.9, male_p=0.0, comm=comm)
            when = self.ts_in(girl, 0, evening=False)
            if when is None:
                continue
            ts = when
            known = r() < 0.35
            agency = self.health_agency(girl)
            inv = [{"person_source_id": self.rec(girl, agency, "health", "health"), "role": "subject"}]
            mother = next((a for a in hh.adults if a.sex == "female"), None)
            if mother is not None:
                inv.append({"person_source_id": self.rec(mother, agency, "health", "health"),
                            "role": "parent_carer"})
            x = r()
            attrs: dict = {"known_or_at_risk": "known" if known else "at_risk",  # type: ignore[type-arg]
                           "reporter_profession": ("health" if x < 0.75 else "social_care" if x < 0.85
                                                   else "teacher" if x < 0.95 else "other"),
                           "mandatory_report": known}
            if known:
                attrs["fgm_type"] = self.choice(("1", "1", "2", "2", "3", "4", "unknown", "unknown"))
            self.emit("health", agency, "fgm_report", ts, inv, attrs, agency[7:].upper())

    def contact(self, children: list[Person], carer: Person | None, ts: int, channel: str, concern: str,
                rag: str) -> None:
        r = self.r
        kids = [c for c in children if c.child_on(min(ts // DAY, self.sim_end - 1))]
        if not kids:
            return
        agency = self.csc_agency(kids[0])
        inv = [self.csc(c, "subject", agency) for c in kids[:4]]
        if carer is not None and not carer.dead:
            inv.append(self.csc(carer, "parent_carer", agency))
        x = r()
        action = ("No further action" if x < 0.3 else "Referred to early help" if x < 0.55
                  else "Child and family assessment" if x < 0.85 else "Strategy discussion")
        self.emit(agency, agency, "contact", min(ts, self.end_ts - 1), inv,
                  {"channel": channel, "concern": concern, "rag": rag, "action_taken": action}, agency[4:].upper())

    def step_contacts(self) -> None:
        r = self.r
        for ts, _, children, victim, yes in self.y_da:
            if children and r() < 0.6:
                rag = "red" if yes >= 14 else "amber" if yes >= 10 else "green"
                self.contact(children, victim, ts + 600 + int(r() * 2000), "police",
                             "Police notification: domestic abuse incident with children in the household", rag)
        for ts, p in self.y_high_missing:
            if r() < 0.8:
                self.contact([p], None, ts + 1440, "police", "High-risk missing episode", "red")
        for ts, p, sexual in self.y_ca:
            if r() < 0.5:
                self.contact([p], None, ts + int(r() * 3 * DAY), "police",
                             "Child abuse investigation: " + ("sexual abuse" if sexual else "physical abuse"), "red")
        for start, p, _ in self.y_cp:
            if r() < 0.8:
                channel = self.choice(("police", "school", "health", "public", "school", "health"))
                carer = p.hh.adults[0] if p.hh is not None and p.hh.adults else None
                self.contact([p], carer, max(self.ys * DAY, (start - 30 - int(r() * 40)) * DAY + self.office_minute()),
                             channel, "Concerns about care of the child", self.choice(("amber", "red", "green")))

    def step_probation(self) -> None:
        r = self.r
        for p in self.y_probation:
            if p.dead or p.adult_at > self.ys + 180:
                continue
            first = not (p.recs and "probation-london" in p.recs)
            sid = self.rec(p, "probation-london", "probation", "probation")
            p.flags |= PROBATION
            if first and p.flags & RSO and p.hh is not None and any(c.child_on(self.ys) for c in p.hh.children) \
                    and r() < 0.5:
                ts = self.year_ts(False)
                self.emit("probation", "probation-london", "contact", ts,
                          [{"person_source_id": sid, "role": "subject"}],
                          {"channel": "probation", "concern": "Offender living in a household with children",
                           "rag": "amber"}, self.home_borough(p))


_CP_NEW_CUM = _cum(CP_NEW_FAMILY)
_CP_DA_CUM = _cum(CP_DA)
_CP_PHYSICAL_CUM = _cum(CP_PHYSICAL)
_CP_SEXUAL_CUM = _cum(CP_SEXUAL)
_PLACEMENT_CUM = _cum(PLACEMENTS)
_PEER_CUM = _cum(PEER_CRIMES)
_ADULT_ON_CHILD_CUM = _cum(ADULT_ON_CHILD)
_UNKNOWN_CUM = _cum(UNKNOWN_ON_CHILD)
_CHILD_ON_ADULT_CUM = _cum(CHILD_ON_ADULT)
_NO_VICTIM_CUM = _cum(NO_VICTIM)
_CCE_NO_VICTIM_CUM = _cum(CCE_NO_VICTIM)
_ADULT_CRIMES_CUM = _cum(ADULT_CRIMES)
