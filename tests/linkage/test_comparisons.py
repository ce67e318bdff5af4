"""Each comparison level is one test in two languages: Splink's SQL and the real-time scorer's Python.

Pairs are evaluated both ways, the SQL in DuckDB as Splink writes it (a CASE over the
levels, first match wins), and must fall into the same level, the one named here.
"""

import duckdb
import pyarrow as pa
import pytest

from lantern.linkage.comparisons import ADDRESS, COMPARISONS, DATE_OF_BIRTH, FAMILY_NAME, GIVEN_NAME, Comparison
from lantern.linkage.features import record_features
from lantern.linkage.model import SCHEMA


def _record(**fields):
    row = {"id": 1, "given_names": "Ade", "family_name": "Okafor", "aliases": [], "dob_year": 2012, "dob_month": 7,
           "dob_day": 4, "sex": "female", "postcode": "E8 1DY", "uprn": "", "nhs_number": ""}
    return record_features({**row, **fields})


def _sql_level(comparison: Comparison, left: dict, right: dict) -> int:
    """Return the index of the first level whose SQL holds for the pair, evaluated in DuckDB."""
    levels = comparison.splink_comparison().get_comparison("duckdb").as_dict()["comparison_levels"]
    cases = " ".join(f"ELSE {index}" if level["sql_condition"] == "ELSE"
                     else f"WHEN {level['sql_condition']} THEN {index}" for index, level in enumerate(levels))
    columns = {}
    for column in SCHEMA:
        for side, features in (("l", left), ("r", right)):
            columns[f"{column.name}_{side}"] = pa.array([features[column.name]], type=column.type)
    connection = duckdb.connect()
    connection.register("pair", pa.table(columns))
    return connection.sql(f"SELECT CASE {cases} END FROM pair").fetchall()[0][0]  # noqa: S608


def _label(comparison: Comparison, left: dict, right: dict) -> str:
    index = comparison.level_of(left, right)
    assert _sql_level(comparison, left, right) == index, "SQL and Python put the pair in different levels"
    return comparison.levels[index].label


@pytest.mark.parametrize(("left", "right", "label"), [
    # A keying slip in a short name: Jaro-Winkler rates 'wil' and 'wli' at 0.56.
    ({"given_names": "Wil"}, {"given_names": "Wli"}, "given names one typed character apart"),
    ({"given_names": "Amy"}, {"given_names": "Ay"}, "given names one typed character apart"),
    ({"given_names": "Amy"}, {"given_names": "Ayo"}, "all other comparisons"),
    ({"given_names": "Samantha"}, {"given_names": "Samatnha"}, "given_name similar (Jaro-Winkler at least 0.92)"),
    # Swapped, and the family name (now in the given-name field) mistyped.
    ({"given_names": "Okafor", "family_name": "Ade"}, {"given_names": "Chidi", "family_name": "Okafoe"},
     "given name similar to the other's family name (swapped, mistyped)"),  # Jaro-Winkler 0.93
    ({"given_names": "Okafor", "family_name": "Ade"}, {"given_names": "Chidi", "family_name": "Okfr"},
     "all other comparisons"),  # 0.91
    ({"given_names": "Okafor", "family_name": "Ade"}, {"given_names": "Chidi", "family_name": "Okafor"},
     "given and family names swapped"),
])
def test_given_name_levels(left, right, label):
    assert _label(GIVEN_NAME, _record(**left), _record(**right)) == label


@pytest.mark.parametrize(("left", "right", "label"), [
    ({"family_name": "Oti"}, {"family_name": "Ott"}, "family names one typed character apart"),
    ({"family_name": "Oti"}, {"family_name": "Ito"}, "all other comparisons"),
    ({"given_names": "Lee", "family_name": "Okafor"}, {"given_names": "Okafoe", "family_name": "Alexandra"},
     "family name similar to the other's given name (swapped, mistyped)"),
    ({"given_names": "Lee", "family_name": "Okafor"}, {"given_names": "Okfr", "family_name": "Alexandra"},
     "all other comparisons"),
])
def test_family_name_levels(left, right, label):
    assert _label(FAMILY_NAME, _record(**left), _record(**right)) == label


@pytest.mark.parametrize(("left", "right", "label"), [
    ({"postcode": "E8 1DY"}, {"postcode": "E8 1YD"}, "postcodes one typed character apart"),  # two swapped
    ({"postcode": "E8 1DY"}, {"postcode": "E8 2DY"}, "postcodes one typed character apart"),  # sector changes
    ({"postcode": "E8 1DY"}, {"postcode": "E8 1DA"}, "postcodes one typed character apart"),
    ({"postcode": "E8 1DY"}, {"postcode": "E8 1AB"}, "postcode_sector the same"),
    ({"postcode": "E8 1DY"}, {"postcode": "E8 3AB"}, "postcode_district the same"),
    ({"postcode": "E8 1DY"}, {"postcode": "N1 1DY"}, "all other comparisons"),
    # Levenshtein distance 2 but not one swap: the cheap pre-test in SQL must not let it through.
    ({"postcode": "E8 1DY"}, {"postcode": "E8 1XZ"}, "postcode_sector the same"),
    # Both give a UPRN, and they differ; one gives no postcode: no level may fail on the missing one.
    ({"uprn": "100", "postcode": None}, {"uprn": "200"}, "all other comparisons"),
])
def test_address_levels(left, right, label):
    assert _label(ADDRESS, _record(**left), _record(**right)) == label


@pytest.mark.parametrize(("left", "right", "label"), [
    ({"dob_month": 7}, {"dob_month": 1}, "dates of birth one typed character apart"),  # 07 for 01
    ({"dob_year": 1985}, {"dob_year": 1958}, "dates of birth one typed character apart"),  # two digits swapped
    ({"dob_year": 1985, "dob_month": 7}, {"dob_year": 1958, "dob_month": 1}, "born more than two years apart"),
    ({"dob_month": 7, "dob_day": 4}, {"dob_month": 1, "dob_day": 3}, "same year of birth"),
])
def test_date_of_birth_levels(left, right, label):
    assert _label(DATE_OF_BIRTH, _record(**left), _record(**right)) == label


def test_every_level_of_every_comparison_is_tried_in_the_same_order_in_sql_and_python():
    for comparison in COMPARISONS:
        sql = comparison.splink_comparison().get_comparison("duckdb").as_dict()["comparison_levels"]
        assert len(sql) == len(comparison.levels), comparison.name
        assert [bool(level.get("is_null_level")) for level in sql] == [level.is_null for level in comparison.levels]
