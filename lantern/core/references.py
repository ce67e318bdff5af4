"""References that people can read out on the phone.

The alphabet leaves out characters that look or sound alike (B8 G6 I1 l0 OQ D S5 Z2, as
cla_backend does), and the last character is a check character, so a reference misheard
or mistyped by one character is refused rather than finding the wrong person.
"""

import secrets

ALPHABET = "ACEFHJKLMNPRTUVWXY3479"
BODY_LENGTH = 7
# Random bytes become characters through a table: byte b is ALPHABET[b % 22], and the
# bytes at or above the last multiple of 22 are deleted, so no character is likelier.
_USABLE_BYTES = 256 - 256 % len(ALPHABET)
_TO_ALPHABET = bytes(ord(ALPHABET[b % len(ALPHABET)]) if b < _USABLE_BYTES else 0 for b in range(256))
_UNUSABLE = bytes(range(_USABLE_BYTES, 256))


# Each character's addend in Luhn mod N, doubled (even positions from the right) or not:
# worked out once, as a bulk import makes hundreds of thousands of references.
_ADDENDS = tuple(
    {char: (index * factor) // len(ALPHABET) + (index * factor) % len(ALPHABET) for index, char in enumerate(ALPHABET)}
    for factor in (2, 1)
)


def check_character(body: str) -> str:
    """Return the Luhn mod N check character for a reference body.

    Luhn mod N catches every single-character error and most swaps of neighbours, for an
    alphabet of any size (a plain weighted sum would miss some when the size is not prime).
    """
    doubled, single = _ADDENDS
    total = sum(doubled[char] for char in body[::-2]) + sum(single[char] for char in body[-2::-2])
    size = len(ALPHABET)
    return ALPHABET[(size - total % size) % size]


def new_reference() -> str:
    """Return a fresh random reference such as 'HXK4-RM7J'."""
    return new_references(1)[0]


def new_references(count: int) -> list[str]:
    """Return `count` fresh random references, drawing all their randomness at once."""
    references: list[str] = []
    while len(references) < count:
        # Rejection sampling keeps every character equally likely (256 is not a multiple of
        # 22): bytes past the last whole round of the alphabet are dropped, the rest mapped.
        pool = secrets.token_bytes(BODY_LENGTH * (count - len(references)) * 2).translate(
            _TO_ALPHABET, _UNUSABLE).decode("ascii")
        for start in range(0, len(pool) - BODY_LENGTH + 1, BODY_LENGTH):
            body = pool[start:start + BODY_LENGTH]
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
