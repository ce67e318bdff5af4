"""A quick compiled check of JSON Schemas, for the bulk paths that check millions of values.

jsonschema-rs passes good values in about a fifth of fastjsonschema's time. Callers use it
only to let good values through: what it does not pass goes to the check that decides and
says why (fastjsonschema, then jsonschema), so it must never be more lenient than they are.
It is stricter in places (a `+0100` offset, digits that are not ASCII, a newline before a
pattern's `$`); tests/intake/test_line_checks.py checks it is never more lenient.
"""

from collections.abc import Callable
from typing import Any

import jsonschema_rs


def quick_check(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """Return whether a value passes the schema, formats included: not why it fails."""
    return jsonschema_rs.validator_for(schema, validate_formats=True).is_valid  # type: ignore[no-any-return]
