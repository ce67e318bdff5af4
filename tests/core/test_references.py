import re

from hypothesis import given
from hypothesis import strategies as st

from lantern.core.references import (
    ALPHABET,
    BODY_LENGTH,
    check_character,
    new_reference,
    new_references,
    normalise_reference,
)

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


def luhn_mod_n(body: str) -> str:
    """Luhn mod N written out plainly, to check the table-driven version against."""
    size, total = len(ALPHABET), 0
    for position, char in enumerate(reversed(body)):
        addend = ALPHABET.index(char) * (2 if position % 2 == 0 else 1)
        total += addend // size + addend % size
    return ALPHABET[(size - total % size) % size]


@given(st.text(alphabet=ALPHABET, min_size=BODY_LENGTH, max_size=BODY_LENGTH))
def test_the_check_character_is_luhn_mod_n(body):
    assert check_character(body) == luhn_mod_n(body)


def test_a_batch_of_references_uses_every_character_and_only_those():
    references = new_references(5000)
    assert len(references) == 5000
    used = {char for reference in references for char in reference.replace("-", "")}
    assert used == set(ALPHABET)
    assert all(normalise_reference(reference) == reference for reference in references)
