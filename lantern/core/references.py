"""References that people can read out on the phone.

The alphabet leaves out characters that look or sound alike (B8 G6 I1 l0 OQ D S5 Z2, as
cla_backend does), and the last character is a check character, so a reference misheard
or mistyped by one character is refused rather than finding the wrong person.
"""

import secrets

ALPHABET = "ACEFHJKLMNPRTUVWXY3479"
BODY_LENGTH = 7


def check_character(body: str) -> str:
    """Return the check character for a reference body (weighted sum, mod the alphabet)."""
    total = sum((i + 1) * ALPHABET.index(ch) for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_reference() -> str:
    """Return a fresh random reference such as 'HXK4-RM7T'."""
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
