"""Name cleaning and nickname equivalents, shared by batch and real-time linkage."""

import csv
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from nicknames import NickNamer

EXTRA_NICKNAMES = Path(__file__).parent / "data" / "nicknames_extra.csv"
NOT_LETTERS = re.compile(r"[^a-z]+")


# Names met most recently, whose cleaning is remembered: they repeat across an import's
# records. Bounded, as an import's memory must be (typos make new names without end).
NAMES_REMEMBERED = 1 << 16


@lru_cache(maxsize=NAMES_REMEMBERED)
def clean_name(value: str) -> str:
    """Return a name in lower-case ASCII letters only: 'O'Brien-Smith' becomes 'obriensmith'."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return NOT_LETTERS.sub("", folded)


@lru_cache(maxsize=NAMES_REMEMBERED)
def name_parts(value: str) -> tuple[str, ...]:
    """Return the cleaned words of a name: 'Smith-Jones' gives ('smith', 'jones')."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return tuple(part for part in NOT_LETTERS.split(folded) if part)


@cache
def _equivalents() -> dict[str, frozenset[str]]:
    """Return each name's group keys from the maintained extra list (both directions)."""
    groups: dict[str, set[str]] = {}
    with EXTRA_NICKNAMES.open(encoding="utf-8") as handle:
        rows = csv.reader(line for line in handle if not line.startswith("#"))
        next(rows)  # header
        for name, equivalent in rows:
            key = f"{name}~{equivalent}"
            groups.setdefault(name, set()).add(key)
            groups.setdefault(equivalent, set()).add(key)
    return {name: frozenset(keys) for name, keys in groups.items()}


@cache
def _namer() -> NickNamer:
    return NickNamer()


@cache
def nickname_keys(given: str) -> tuple[str, ...]:
    """Return keys two given names share exactly when one may be recorded for the other.

    A name's keys are itself, the formal names it is a nickname of (Bill: William,
    Robert...) and the pairs in the maintained extra list; Bill and William share
    'william', Will and Bill share 'william', Liam and William share 'william~liam'.
    """
    if not given:
        return ()
    keys = {given, *_namer().canonicals_of(given), *_equivalents().get(given, ())}
    return tuple(sorted(keys))
