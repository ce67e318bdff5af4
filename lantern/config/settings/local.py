"""Settings for one machine: SQLite in the data directory, a secret key generated on first use."""

import os
import secrets

from .base import *  # noqa: F403
from .base import DATA_DIR


def local_secret_key() -> str:
    """Return the key from the environment, or one generated once and kept in the data dir."""
    if os.environ.get("LANTERN_SECRET_KEY"):
        return os.environ["LANTERN_SECRET_KEY"]
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = local_secret_key()
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]  # noqa: F405
