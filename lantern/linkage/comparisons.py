"""The comparisons the linkage model makes, each level written once for SQL and for Python.

Splink scores batches in SQL; real-time linking scores a handful of candidates in Python.
Each level here carries both forms side by side, so that a change to one is a change to
the other (tests/linkage/test_comparisons.py checks that the two agree on real pairs).
Levels are tried in order and the first that holds decides, as in a SQL CASE.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from jellyfish import damerau_levenshtein_distance, jaro_winkler_similarity
from splink.internals.comparison_level_creator import ComparisonLevelCreator

Features = dict[str, Any]
Test = Callable[[Features, Features], bool]


@dataclass(frozen=True)
class Level:
    label: str
    splink: ComparisonLevelCreator
    test: Test
    is_null: bool = False


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]

    def splink_comparison(self) -> cl.CustomComparison:
        return cl.CustomComparison(
            comparison_levels=[level.splink for level in self.levels],
            output_column_name=self.name,
            comparison_description=self.description,
        )

    def level_of(self, left: Features, right: Features) -> int:
        """Return the index of the first level the pair falls into (Splink's gamma value)."""
        for index, level in enumerate(self.levels):
            if level.test(left, right):
                return index
        raise AssertionError(f"{self.name}: no level matched, and the last level must be 'else'")


def _null(column: str) -> Level:
    return Level(f"{column} missing", cll.NullLevel(column),
                 lambda a, b: a[column] is None or b[column] is None, is_null=True)


def _exact(column: str, tf: bool = False) -> Level:
    return Level(f"{column} the same", cll.ExactMatchLevel(column, term_frequency_adjustments=tf),
                 lambda a, b: a[column] is not None and a[column] == b[column])


def _jaro_winkler(column: str, threshold: float) -> Level:
    return Level(f"{column} similar (Jaro-Winkler at least {threshold})",
                 cll.JaroWinklerLevel(column, threshold),
                 lambda a, b: jaro_winkler_similarity(a[column], b[column]) >= threshold)


def _shares_one(column: str, label: str) -> Level:
    return Level(label, cll.ArrayIntersectLevel(column, 1), lambda a, b: bool(set(a[column]) & set(b[column])))


def _custom(label: str, sql: str, test: Test) -> Level:
    return Level(label, cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb"), test)


def _else() -> Level:
    return Level("all other comparisons", cll.ElseLevel(), lambda a, b: True)


def _same_identifier(column: str, description: str) -> Comparison:
    # Agreement is strong evidence and disagreement strong evidence against; EM learns both.
    return Comparison(column, description, (_null(column), _exact(column), _else()))


GIVEN_NAME = Comparison("given_name", "First given name", (
    _null("given_name"),
    _exact("given_name", tf=True),
    _shares_one("given_keys", "given names are nickname equivalents (Bill and William)"),
    _custom("given and family names swapped", '"given_name_l" = "family_name_r"',
            lambda a, b: a["given_name"] == b["family_name"]),
    _jaro_winkler("given_name", 0.92),
    _jaro_winkler("given_name", 0.8),
    _else(),
))

FAMILY_NAME = Comparison("family_name", "Family name", (
    _null("family_name"),
    _exact("family_name", tf=True),
    _custom("given and family names swapped", '"family_name_l" = "given_name_r"',
            lambda a, b: a["family_name"] == b["given_name"]),
    _jaro_winkler("family_name", 0.92),
    # A hyphenated name recorded in part, or a surname given as an alias (maiden, stepfather's).
    _shares_one("family_parts", "family names share a part, or one is the other's alias"),
    _jaro_winkler("family_name", 0.8),
    _else(),
))


def _agree_where_both_known(a: Features, b: Features) -> bool:
    if a["dob_year"] != b["dob_year"]:
        return False
    if a["dob_month"] is None or b["dob_month"] is None:
        return True
    return a["dob_month"] == b["dob_month"] and (a["dob_day"] is None or b["dob_day"] is None)


def _one_part_out(a: Features, b: Features) -> bool:
    if None in (a["dob_month"], b["dob_month"], a["dob_day"], b["dob_day"]):
        return False
    same_year_month = a["dob_year"] == b["dob_year"] and a["dob_month"] == b["dob_month"]
    year_one_out = (abs(a["dob_year"] - b["dob_year"]) == 1 and a["dob_month"] == b["dob_month"]
                    and a["dob_day"] == b["dob_day"])
    return same_year_month or year_one_out


DATE_OF_BIRTH = Comparison("date_of_birth", "Date of birth, which may be partial", (
    _null("dob_year"),
    _custom("dates of birth the same", '"dob_l" = "dob_r"',
            lambda a, b: a["dob"] is not None and a["dob"] == b["dob"]),
    _custom("partial dates of birth agree as far as both go",
            '"dob_year_l" = "dob_year_r" AND ("dob_month_l" IS NULL OR "dob_month_r" IS NULL '
            'OR ("dob_month_l" = "dob_month_r" AND ("dob_day_l" IS NULL OR "dob_day_r" IS NULL)))',
            _agree_where_both_known),
    _custom("day and month transposed",
            '"dob_year_l" = "dob_year_r" AND "dob_month_l" = "dob_day_r" AND "dob_day_l" = "dob_month_r"',
            lambda a, b: (a["dob_year"] == b["dob_year"] and a["dob_month"] == b["dob_day"]
                          and a["dob_day"] == b["dob_month"] and a["dob_day"] is not None)),
    _custom("day or year one out",
            '("dob_year_l" = "dob_year_r" AND "dob_month_l" = "dob_month_r") OR '
            '(abs("dob_year_l" - "dob_year_r") = 1 AND "dob_month_l" = "dob_month_r" AND "dob_day_l" = "dob_day_r")',
            _one_part_out),
    # A mistyped digit (2013 for 2018, 07 for 01): common in keyed-in records such as FEBRL's.
    Level("dates of birth one typed character apart", cll.DamerauLevenshteinLevel("dob", 1),
          lambda a, b: a["dob"] is not None and b["dob"] is not None
          and damerau_levenshtein_distance(a["dob"], b["dob"]) <= 1),
    _custom("same year of birth", '"dob_year_l" = "dob_year_r"', lambda a, b: a["dob_year"] == b["dob_year"]),
    _custom("born within two years", 'abs("dob_year_l" - "dob_year_r") <= 2',
            lambda a, b: abs(a["dob_year"] - b["dob_year"]) <= 2),
    # Born more than two years apart: at the same address, far more often a parent and child
    # or two siblings with the same name than one person's date of birth wrong by years.
    # EM, left to itself, puts m near 1% here (it absorbs such families); fixing it at 1 in
    # 100,000 sends those pairs to review rather than joining them (docs/linkage.md).
    Level("born more than two years apart",
          cll.ElseLevel().configure(m_probability=1e-5, fix_m_probability=True),
          lambda a, b: True),
))

# One comparison for the address, not one for UPRN and one for postcode: they say the same
# thing, and scoring both counted a shared home twice (family members then looked alike).
ADDRESS = Comparison("address", "Address: UPRN when both give one, else postcode at full, sector, district", (
    Level("address missing",
          cll.CustomLevel('("uprn_l" IS NULL OR "uprn_r" IS NULL) AND ("postcode_l" IS NULL OR "postcode_r" IS NULL)',
                          label_for_charts="address missing", base_dialect_str="duckdb").configure(is_null_level=True),
          lambda a, b: (a["uprn"] is None or b["uprn"] is None) and (a["postcode"] is None or b["postcode"] is None),
          is_null=True),
    _exact("uprn"),
    _exact("postcode"),
    _exact("postcode_sector"),
    _exact("postcode_district"),
    _else(),
))

COMPARISONS: tuple[Comparison, ...] = (
    _same_identifier("nhs_number", "NHS number"),
    GIVEN_NAME,
    FAMILY_NAME,
    DATE_OF_BIRTH,
    ADDRESS,
    Comparison("sex", "Sex", (_null("sex"), _exact("sex"), _else())),
)
