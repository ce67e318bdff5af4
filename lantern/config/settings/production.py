"""Settings for a real deployment: refuses to start unless it is configured safely."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

INSECURE_KEY_MARKERS = ("django-insecure", "change-me", "changeme", "secret", "lantern")


def production_secret_key() -> str:
    """Return the secret key, refusing a missing, short or well-known one."""
    key = os.environ.get("LANTERN_SECRET_KEY", "")
    if len(key) < 50 or len(set(key)) < 5 or any(m in key.lower() for m in INSECURE_KEY_MARKERS):
        raise ImproperlyConfigured(
            "LANTERN_SECRET_KEY must be set to a random value of at least 50 characters "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    return key


SECRET_KEY = production_secret_key()
if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("LANTERN_DEBUG must be off in production.")
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("LANTERN_ALLOWED_HOSTS must name the hosts Lantern is served on.")

# Demo users never sign in to a real deployment.
LANTERN_DEMO = False

SECURE_SSL_REDIRECT = env_bool("LANTERN_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-lantern-session"
CSRF_COOKIE_NAME = "__Host-lantern-csrf"

STATIC_ROOT = Path(os.environ.get("LANTERN_STATIC_ROOT", DATA_DIR / "static"))  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
