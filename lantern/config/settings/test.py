"""Settings for the test suite: SQLite in memory unless DATABASE_URL names PostgreSQL."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import database_config

SECRET_KEY = "test-only-key-not-used-anywhere-else-" + "x" * 20  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

DATABASES = {"default": database_config(Path("/nonexistent"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

# Argon2 is slow on purpose; tests that check hashing ask for it explicitly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
LANTERN_DEMO = True

# pytest-django's live_server runs the app in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
