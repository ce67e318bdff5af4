import re

from hypothesis import given
from hypothesis import strategies as st

from lantern.core.references import ALPHABET, new_reference, normalise_reference

LOOK_ALIKES = "B8G6I1l0OQDS5Z2"  # as cla_backend drops them


def test_alphabet_has_no_look_alike_characters():
    assert not set(ALPHABET) & set(LOOK_ALIKES)


def test_new_references_are_readable_and_valid():
    for _ in range(200):
        reference = new_reference()
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
        assert normalise_reference(reference) == reference


def test_typed_reference_is_normalised():
    reference = new_reference()
    typed = reference.lower().replace("-", " ")
    assert normalise_reference(typed) == reference


@given(st.integers(min_value=0, max_value=7), st.sampled_from(ALPHABET))
def test_one_wrong_character_is_refused(position, replacement):
    reference = new_reference().replace("-", "")
    if reference[position] == replacement:
        return
    mistyped = reference[:position] + replacement + reference[position + 1:]
    assert normalise_reference(mistyped) is None


def test_the_example_reference_shown_to_users_is_valid():
    assert normalise_reference("HXK4-RM7J") == "HXK4-RM7J"
