"""Content hashes that make re-sending the same record a no-op."""

import hashlib
from typing import Any

import orjson


def content_hash(data: dict[str, Any]) -> str:
    """Return the SHA-256 of a dict in canonical JSON (sorted keys, no spaces)."""
    canonical = orjson.dumps(data, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(canonical).hexdigest()
