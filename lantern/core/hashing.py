"""Content hashes that make re-sending the same record a no-op."""

import hashlib
import json
from typing import Any


def content_hash(data: dict[str, Any]) -> str:
    """Return the SHA-256 of a dict in canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
