"""Names, nicknames and the features linkage compares."""

import pytest

from lantern.linkage.features import BLOCKING_KEYS, blocking_keys, record_features
from lantern.linkage.names import clean_name, name_parts, nickname_keys


def _row(**fields):
    row = {"id": 1, "given_names": "William James", "family_name": "Smith-Jones", "aliases": [],
           "dob_year": 2010, "dob_month": 3, "dob_day": 4, "sex": "male", "postcode": "E8 1DY", "uprn": "",
           "nhs_number": ""}
    return {**row, **fields}


@pytest.mark.parametrize(("one", "other"), [
    ("bill", "william"), ("will", "bill"), ("liam", "william"), ("sasha", "alexander"), ("peggy", "margaret"),
    ("mo", "mohammed"),
])
def test_nicknames_share_a_key(one, other):
    assert set(nickname_keys(one)) & set(nickname_keys(other))


@pytest.mark.parametrize(("one", "other"), [("bill", "liam"), ("john", "james"), ("amy", "zara")])
def test_unrelated_names_share_no_key(one, other):
    assert not set(nickname_keys(one)) & set(nickname_keys(other))


def test_names_are_cleaned_to_letters():
    assert clean_name("O'Brien-Smith") == "obriensmith"
    assert clean_name("Zoë") == "zoe"
    assert name_parts("Smith-Jones") == ("smith", "jones")


def test_features_take_the_first_given_name_and_every_part_of_the_family_name():
    features = record_features(_row(aliases=["Billy Brown"]))

    assert features["given_name"] == "william"
    assert features["family_name"] == "smithjones"
    assert features["family_parts"] == ["brown", "jones", "smith"]
    assert features["dob"] == "2010-03-04"
    assert (features["postcode"], features["postcode_sector"], features["postcode_district"]) == (
        "E81DY", "E81", "E8")


def test_a_partial_date_and_unknown_sex_are_missing_not_wrong():
    features = record_features(_row(dob_month=None, dob_day=None, sex="unknown"))

    assert features["dob"] is None and features["dob_year"] == 2010
    assert features["sex"] is None
    assert features["k_given_dob"] is None


def test_swapped_names_and_transposed_dates_share_a_blocking_key():
    plain = record_features(_row(given_names="Ade", family_name="Okafor", dob_month=3, dob_day=4))
    swapped = record_features(_row(given_names="Okafor", family_name="Ade", dob_month=4, dob_day=3))

    assert plain["k_name_dob"] == swapped["k_name_dob"] is not None
    assert set(blocking_keys(plain)) & set(blocking_keys(swapped))


def test_every_blocking_key_is_a_feature():
    assert set(BLOCKING_KEYS) <= set(record_features(_row()))


def test_features_without_keys_are_the_same_less_the_blocking_keys():
    row = _row(aliases=["Billy Brown"])
    full, lean = record_features(row), record_features(row, with_keys=False)

    assert set(full) - set(lean) == set(BLOCKING_KEYS)
    assert lean == {name: value for name, value in full.items() if name not in BLOCKING_KEYS}
