"""The comparisons the linkage model makes, each level written once for SQL and for Python.

Splink scores batches in SQL; real-time linking scores a handful of candidates in Python.
Each level here carries both forms side by side, so that a change to one is a change to
the other (tests/linkage/test_comparisons.py checks that the two put pairs made for each
level in that level; test_linking.py that the scorer gives Splink's weights on real pairs).
Levels are tried in order and the first that holds decides, as in a SQL CASE.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from jellyfish import damerau_levenshtein_distance, jaro_winkler_similarity
from splink.internals.column_expression import ColumnExpression
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect

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


def _one_edit(column: str, label: str) -> Level:
    """One typed character apart (Damerau-Levenshtein: a letter or digit changed, added, dropped, or two swapped).

    In SQL the distance is asked only of pairs whose lengths differ by one at most and
    within Levenshtein distance 2, as every pair one Damerau-Levenshtein edit apart is:
    DuckDB's Damerau-Levenshtein costs several times its Levenshtein, and most pairs fail
    the cheaper tests, so this is the same level at a fifth of the cost.
    """
    lengths = cll.CustomLevel(f'abs(length("{column}_l") - length("{column}_r")) <= 1', base_dialect_str="duckdb")
    splink = cll.And(lengths, cll.LevenshteinLevel(column, 2), cll.DamerauLevenshteinLevel(column, 1))
    return Level(label, splink.configure(label_for_charts=label),
                 lambda a, b: a[column] is not None and b[column] is not None
                 and damerau_levenshtein_distance(a[column], b[column]) <= 1)


class _CrossJaroWinklerLevel(cll.JaroWinklerLevel):
    """Jaro-Winkler between one column of the left record and another of the right, in each backend's SQL."""

    def __init__(self, left: str, right: str, threshold: float):
        super().__init__(left, threshold)
        self.right_expression = ColumnExpression.instantiate_if_str(right)

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        self.col_expression.sql_dialect = self.right_expression.sql_dialect = sql_dialect
        return (f"{sql_dialect.jaro_winkler_function_name}({self.col_expression.name_l}, "
                f"{self.right_expression.name_r}) >= {self.distance_threshold}")


def _swapped_similar(column: str, other: str, label: str) -> Level:
    """Names swapped, and one of them mistyped: this record's `column` is close to the other's `other`."""
    return Level(label, _CrossJaroWinklerLevel(column, other, 0.92).configure(label_for_charts=label),
                 lambda a, b: b[other] is not None and jaro_winkler_similarity(a[column], b[other]) >= 0.92)


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
    _one_edit("given_name", "given names one typed character apart"),
    _jaro_winkler("given_name", 0.8),
    _swapped_similar("given_name", "family_name", "given name similar to the other's family name (swapped, mistyped)"),
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
    _one_edit("family_name", "family names one typed character apart"),
    _jaro_winkler("family_name", 0.8),
    _swapped_similar("family_name", "given_name", "family name similar to the other's given name (swapped, mistyped)"),
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
    _one_edit("dob", "dates of birth one typed character apart"),
    _custom("same year of birth", '"dob_year_l" = "dob_year_r"', lambda a, b: a["dob_year"] == b["dob_year"]),
    _custom("born within two years", 'abs("dob_year_l" - "dob_year_r") <= 2',
            lambda a, b: abs(a["dob_year"] - b["dob_year"]) <= 2),
    # Born more than two years apart: at the same address, far more often a parent and child
    # or two siblings with the same name than one person's date of birth wrong by years.
    # EM, left to itself, puts m near 1% here (it absorbs such families); fixing it at 1 in
    # 100,000 sends those pairs to review rather than joining them (docs/linkage.md).
    # On FEBRL, where a date is sometimes replaced whole and there are no families, the same
    # pattern is one person (m 5 to 9%); no unlabelled estimate tried told the two apart:
    # EM on same-name pairs at different addresses gave 8.8% on FEBRL3, but 80% on London,
    # where same-name relatives living apart outnumber matches fifty to one.
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
    # A typo in the inward code (E8 1DY for E8 1YD), which may change the sector too (E8 2DY).
    _one_edit("postcode", "postcodes one typed character apart"),
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
