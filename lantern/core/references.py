"""References that people can read out on the phone.

The alphabet leaves out characters that look or sound alike (B8 G6 I1 l0 OQ D S5 Z2, as
cla_backend does), and the last character is a check character, so a reference misheard
or mistyped by one character is refused rather than finding the wrong person.
"""

import secrets

ALPHABET = "ACEFHJKLMNPRTUVWXY3479"
BODY_LENGTH = 7


def check_character(body: str) -> str:
    """Return the Luhn mod N check character for a reference body.

    Luhn mod N catches every single-character error and most swaps of neighbours, for an
    alphabet of any size (a plain weighted sum would miss some when the size is not prime).
    """
    size = len(ALPHABET)
    total = 0
    for position, char in enumerate(reversed(body)):
        addend = ALPHABET.index(char) * (2 if position % 2 == 0 else 1)
        total += addend // size + addend % size
    return ALPHABET[(size - total % size) % size]


def new_reference() -> str:
    """Return a fresh random reference such as 'HXK4-RM7J'."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    whole = body + check_character(body)
    return f"{whole[:4]}-{whole[4:]}"


def normalise_reference(text: str) -> str | None:
    """Return the canonical form of a typed reference, or None if it cannot be one."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(compact) != BODY_LENGTH + 1 or any(ch not in ALPHABET for ch in compact):
        return None
    if check_character(compact[:-1]) != compact[-1]:
        return None
    return f"{compact[:4]}-{compact[4:]}"
