import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lantern.people.validators import nhs_number_is_valid, normalise_nhs_number, normalise_postcode


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9990000018"])
def test_valid_nhs_numbers(number):
    assert nhs_number_is_valid(number)


@pytest.mark.parametrize("number", ["9434765918", "943476591", "94347659190", "943476591X", "",
                                    "0000000010"])
def test_invalid_nhs_numbers(number):
    assert not nhs_number_is_valid(number)


@given(st.from_regex(r"[0-9]{9}", fullmatch=True), st.integers(min_value=0, max_value=9))
def test_exactly_one_check_digit_fits_or_none(body, last):
    valid = [d for d in range(10) if nhs_number_is_valid(f"{body}{d}")]
    assert len(valid) <= 1
    assert nhs_number_is_valid(f"{body}{last}") == (valid == [last])


@pytest.mark.parametrize(("raw", "clean"), [("e58hp", "E5 8HP"), (" sw1a  1aa ", "SW1A 1AA")])
def test_postcodes_are_normalised(raw, clean):
    assert normalise_postcode(raw) == clean


# The normalisers split on whitespace rather than run a regular expression (for speed); they
# must clean exactly what the expressions did, for every kind of space Unicode has.
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(" \t\n\u00a0\u2003\x1c-")))
def test_normalisers_clean_as_the_regular_expressions_did(text):
    compact = re.sub(r"\s+", "", text.upper())
    assert normalise_postcode(text) == (f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact)
    assert normalise_nhs_number(text) == re.sub(r"[\s-]", "", text)
