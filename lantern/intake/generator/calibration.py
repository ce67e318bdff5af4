"""The figures the generator is calibrated to, the volumes it invents, and its error rates.

Policy as data: each figure carries where it came from. Calibrated targets are for all of
London, one year, at --scale 1.0; each borough gets its share by population aged 0-17.
"""

from __future__ import annotations

from dataclasses import dataclass

SEEDS = "Met Police 2016 plans and HMIC response (seeds 000, 001); docs domain.md 'Scale'"


@dataclass(frozen=True)
class Target:
    value: float
    counted_as: str
    source: str = SEEDS
    growth: float = 0.0  # per simulated year after the first


# Counted exactly as tests/intake/test_generator.py counts them from the output files.
TARGETS: dict[str, Target] = {
    "missing_episodes": Target(25_000, "missing_episode events with a child (under 18 on the day) missing"),
    "missing_high_share": Target(0.05, "share of those episodes graded high"),
    "cp_children": Target(8_000, "distinct children subject of a child_protection_plan active on any day of "
                                 "the year (start on or before the year's last day, end null or on or "
                                 "after its first day)"),
    "rso_active": Target(5_903, "distinct offenders with an rso_registration active on the year's last day",
                         growth=0.08),
    "custody_children": Target(21_056, "custody_detention events whose detainee is a child on the day"),
    "child_victims": Target(63_000, "distinct children with role victim in crime events in the year"),
    "child_suspects": Target(72_000, "distinct children with role suspect in crime events in the year"),
    "cse_children": Target(1_538, "distinct children subject of an exploitation_assessment of type sexual "
                                  "or both in the year"),
    "child_abuse_crimes": Target(15_841, "crime events with attributes.child_abuse true"),
    "child_sexual_abuse_crimes": Target(2_938, "of those, category sexual or rape"),
    "iioc_suspects": Target(4_800, "distinct suspects in iioc_investigation events (about 400 a month)"),
    "rape_domestic_share": Target(1 / 3, "share of crime events of category rape with domestic_setting true"),
    "child_deaths": Target(61, "child_death events (16 suspicious, 2 of children on a plan)"),
}

# Volumes the seeds do not give: chosen to be plausible for London and stated here so they
# can be changed. Per year, all London, scale 1.0.
VOLUMES: dict[str, tuple[float, str]] = {
    "da_incidents": (32_000, "domestic abuse incidents attended (the Met records far more; kept modest)"),
    "adult_crimes": (24_000, "crimes with only adults involved"),
    "adult_rapes": (3_500, "rapes of adults (Met about 6,000 rapes a year in all)"),
    "adult_missing": (3_000, "missing episodes of vulnerable adults"),
    "cce_children": (2_400, "children assessed at risk of criminal (only) exploitation"),
    "lac_stock": (10_000, "children looked after on the first day (London about 10,000, DfE SSDA903)"),
    "lac_starts": (4_300, "children starting to be looked after in a year"),
    "stop_search_children": (15_000, "stop and search of under-18s"),
    "stop_search_adults": (8_000, "stop and search of adults"),
    "hate_crimes": (3_000, "hate crimes"),
    "modern_slavery": (600, "modern slavery referrals (NRM)"),
    "radicalisation": (700, "Prevent referrals"),
    "fgm_reports": (250, "FGM reports about girls under 18"),
}

SAFEGUARD = ("sexual_health", "absent", "familial_abuse", "emotional_physical", "gangs_older_associates",
             "technology", "alcohol_drugs", "unexplained_gifts", "distrust_of_authority")


@dataclass(frozen=True)
class ErrorRates:
    """How often one agency's copy of a person differs from the truth, per record."""

    nickname: float  # given name recorded as a nickname (William as Bill)
    typo: float  # one character wrong in a name
    middle_dropped: float  # middle names left out
    swapped: float  # given and family names entered the wrong way round
    family_variant: float  # another surname the person uses (maiden, step-parent's, one half of a hyphen)
    dob_missing: float
    dob_year_only: float
    dob_month_only: float
    dob_transposed: float  # day and month swapped (only possible when the day is 12 or less)
    dob_typo: float  # a day or year off by one
    no_address: float
    old_address: float  # a previous address, where the person has one
    postcode_typo: float  # one character of the inward code wrong
    postcode_format: float  # no space or lower case
    uprn: float
    nhs_number: float  # health and social care only
    sex_unknown: float
    alias: float
    duplicate: float  # a second record for someone the agency already holds


ERROR_RATES: dict[str, ErrorRates] = {
    "police": ErrorRates(nickname=0.07, typo=0.04, middle_dropped=0.5, swapped=0.015, family_variant=0.06,
                         dob_missing=0.04, dob_year_only=0.015, dob_month_only=0.01, dob_transposed=0.015,
                         dob_typo=0.01, no_address=0.05, old_address=0.08, postcode_typo=0.03,
                         postcode_format=0.05, uprn=0.15, nhs_number=0.0, sex_unknown=0.01, alias=0.04,
                         duplicate=0.03),
    "childrens_social_care": ErrorRates(
        nickname=0.03, typo=0.02, middle_dropped=0.2, swapped=0.008, family_variant=0.08, dob_missing=0.01,
        dob_year_only=0.003, dob_month_only=0.005, dob_transposed=0.01, dob_typo=0.005, no_address=0.01,
        old_address=0.06, postcode_typo=0.015, postcode_format=0.03, uprn=0.45, nhs_number=0.7,
        sex_unknown=0.002, alias=0.02, duplicate=0.01),
    "school": ErrorRates(nickname=0.06, typo=0.015, middle_dropped=0.35, swapped=0.005, family_variant=0.12,
                         dob_missing=0.0, dob_year_only=0.0, dob_month_only=0.0, dob_transposed=0.004,
                         dob_typo=0.003, no_address=0.0, old_address=0.1, postcode_typo=0.01,
                         postcode_format=0.02, uprn=0.05, nhs_number=0.0, sex_unknown=0.0, alias=0.0,
                         duplicate=0.0),
    "health": ErrorRates(nickname=0.02, typo=0.015, middle_dropped=0.1, swapped=0.005, family_variant=0.04,
                         dob_missing=0.003, dob_year_only=0.0, dob_month_only=0.002, dob_transposed=0.003,
                         dob_typo=0.003, no_address=0.01, old_address=0.12, postcode_typo=0.01,
                         postcode_format=0.02, uprn=0.25, nhs_number=0.97, sex_unknown=0.002, alias=0.0,
                         duplicate=0.01),
    "probation": ErrorRates(nickname=0.05, typo=0.03, middle_dropped=0.3, swapped=0.01, family_variant=0.06,
                            dob_missing=0.005, dob_year_only=0.005, dob_month_only=0.005,
                            dob_transposed=0.01, dob_typo=0.01, no_address=0.04, old_address=0.1,
                            postcode_typo=0.02, postcode_format=0.04, uprn=0.1, nhs_number=0.0,
                            sex_unknown=0.0, alias=0.08, duplicate=0.0),
}
