"""Production settings refuse unsafe configuration; local settings need no set-up."""

import os
import subprocess
import sys

import pytest

GOOD_KEY = "k3J9x-Qm2vL8pR4tW7yZ1aB5cD6eF0gH2iJ4kL6mN8oP0qR2sT4uV6wX8yZ0aB2cD4"


def load_settings(module: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Import a settings module in a clean interpreter with only the given environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LANTERN_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-c", f"import {module} as s; print(s.SECRET_KEY[:4], s.DEBUG)"],
        env={**clean, **env}, capture_output=True, text=True, check=False,
    )


@pytest.mark.parametrize(("env", "message"), [
    ({}, "LANTERN_SECRET_KEY must be set"),
    ({"LANTERN_SECRET_KEY": "django-insecure-" + "a" * 50}, "LANTERN_SECRET_KEY must be set"),
    ({"LANTERN_SECRET_KEY": "short"}, "LANTERN_SECRET_KEY must be set"),
    ({"LANTERN_SECRET_KEY": GOOD_KEY, "LANTERN_DEBUG": "1", "LANTERN_ALLOWED_HOSTS": "x"},
     "LANTERN_DEBUG must be off"),
    ({"LANTERN_SECRET_KEY": GOOD_KEY}, "LANTERN_ALLOWED_HOSTS"),
])
def test_production_refuses_to_start_unsafely(env, message):
    result = load_settings("lantern.config.settings.production", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_when_configured(tmp_path):
    result = load_settings("lantern.config.settings.production", LANTERN_SECRET_KEY=GOOD_KEY,
                           LANTERN_ALLOWED_HOSTS="lantern.example.police.uk",
                           LANTERN_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [GOOD_KEY[:4], "False"]


def test_production_security_settings():
    env = {"LANTERN_SECRET_KEY": GOOD_KEY, "LANTERN_ALLOWED_HOSTS": "x"}
    code = ("import lantern.config.settings.production as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000,"
            " s.SECURE_SSL_REDIRECT, s.LANTERN_DEMO, s.PASSWORD_HASHERS[0].endswith('Argon2PasswordHasher'))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LANTERN_", "DJANGO_"))}
    result = subprocess.run([sys.executable, "-c", code], env={**clean, **env},
                            capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "True", "True", "True", "False", "True"]


def test_local_settings_generate_and_keep_a_secret_key(tmp_path):
    first = load_settings("lantern.config.settings.local", LANTERN_DATA_DIR=str(tmp_path))
    second = load_settings("lantern.config.settings.local", LANTERN_DATA_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    key_file = tmp_path / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_database_url_selects_postgresql():
    code = ("import lantern.config.settings.local as s; print(s.DATABASES['default']['ENGINE'])")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LANTERN_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**clean, "DATABASE_URL": "postgres://u@127.0.0.1:5432/lantern", "LANTERN_SECRET_KEY": "x"},
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_the_lantern_command_runs_django_commands_with_lantern_settings(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LANTERN_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-m", "lantern", "check"], capture_output=True, text=True, check=False,
        env={**clean, "LANTERN_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_new_sqlite_database_is_made_with_8_kb_pages_and_a_write_ahead_log(tmp_path, monkeypatch):
    import sqlite3

    from lantern.config.settings.base import database_config

    monkeypatch.delenv("DATABASE_URL", raising=False)
    options = database_config(tmp_path)["OPTIONS"]
    connection = sqlite3.connect(tmp_path / "lantern.sqlite3")
    connection.executescript(options["init_command"])
    connection.execute("CREATE TABLE made (id integer)")
    # The page size holds only if set before anything makes the file (WAL mode does).
    assert connection.execute("PRAGMA page_size").fetchone()[0] == 8192
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()
