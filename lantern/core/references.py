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
    return new_references(1)[0]


def new_references(count: int) -> list[str]:
    """Return `count` fresh random references, drawing all their randomness at once."""
    size = len(ALPHABET)
    # Rejection sampling keeps every character equally likely (256 is not a multiple of 22).
    usable = 256 - 256 % size
    references: list[str] = []
    while len(references) < count:
        pool = [b for b in secrets.token_bytes(BODY_LENGTH * (count - len(references)) * 2) if b < usable]
        for start in range(0, len(pool) - BODY_LENGTH + 1, BODY_LENGTH):
            body = "".join(ALPHABET[b % size] for b in pool[start:start + BODY_LENGTH])
            whole = body + check_character(body)
            references.append(f"{whole[:4]}-{whole[4:]}")
            if len(references) == count:
                break
    return references


def normalise_reference(text: str) -> str | None:
    """Return the canonical form of a typed reference, or None if it cannot be one."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(compact) != BODY_LENGTH + 1 or any(ch not in ALPHABET for ch in compact):
        return None
    if check_character(compact[:-1]) != compact[-1]:
        return None
    return f"{compact[:4]}-{compact[4:]}"
