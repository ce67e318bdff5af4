"""Settings shared by every environment; each environment module adjusts these."""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the lantern package


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no setting from the environment."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def default_data_dir() -> Path:
    """Return where Lantern keeps its SQLite file and generated secrets."""
    if "LANTERN_DATA_DIR" in os.environ:
        return Path(os.environ["LANTERN_DATA_DIR"]).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "lantern"


DATA_DIR = default_data_dir()

DEBUG = env_bool("LANTERN_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("LANTERN_ALLOWED_HOSTS", "").split(",") if h]

# Demo users may sign in only while this is on (`lantern demo` turns it on).
LANTERN_DEMO = env_bool("LANTERN_DEMO", False)
# Keep the X-Request-ID set by a reverse proxy (only when one sets it for every request).
LANTERN_TRUST_REQUEST_ID = env_bool("LANTERN_TRUST_REQUEST_ID", False)
LANTERN_DEMO_PASSWORD = os.environ.get("LANTERN_DEMO_PASSWORD", "lantern-demo-2026")
# The longest feed line the importer reads; longer ones are quarantined unread.
LANTERN_MAX_LINE_BYTES = int(os.environ.get("LANTERN_MAX_LINE_BYTES", 1_000_000))
# An import of at least this many lines, and at least as many as the records already stored,
# builds the search and linkage indexes once at the end rather than row by row.
LANTERN_IMPORT_BULK_LINES = int(os.environ.get("LANTERN_IMPORT_BULK_LINES", 100_000))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "axes",
    "ninja",
    "lantern.core",
    "lantern.organisations",
    "lantern.accounts",
    "lantern.people",
    "lantern.events",
    "lantern.sharing",
    "lantern.intake",
    "lantern.linkage",
    "lantern.risk",
    "lantern.referrals",
    "lantern.safeguarding",
    "lantern.investigations",
    "lantern.web",
    "lantern.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lantern.core.middleware.RequestIdMiddleware",
    "lantern.core.middleware.SecurityHeadersMiddleware",
    "lantern.api.middleware.ApiErrorsAsJsonMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view says otherwise.
    "lantern.core.middleware.StaffLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last: it turns repeated failed sign-ins into a lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lantern.config.urls"
WSGI_APPLICATION = "lantern.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lantern.web.context_processors.service",
            ],
        },
    },
]
FORM_RENDERER = "lantern.web.forms.GovukFormRenderer"


def database_config(data_dir: Path) -> dict[str, Any]:
    """Return the default database: DATABASE_URL if set, else a SQLite file in the data dir."""
    config: dict[str, Any] = dj_database_url.config(  # type: ignore[assignment]
        default=f"sqlite:///{data_dir / 'lantern.sqlite3'}", conn_max_age=60
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
            # failing half-way; the audit chain relies on writers being serialised.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # 8 KB pages (set before anything else makes the file, as a database keeps the
            # size it was made with): a London year's rows went into the tables alone in 10%
            # less time than with 4 KB pages, and the whole import took 2% less.
            # WAL lets pages be read while a write goes on; a 64 MB page cache keeps bulk
            # intake's index updates in memory. Copying the log back into the database every
            # 16,384 pages (128 MB) rather than SQLite's 1,000 writes each page once where it
            # would write it many times: a bulk import took 13% less time (docs/benchmarks.md).
            "init_command": "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                            "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=16384;",
        }
    return config


DATABASES = {"default": database_config(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lantern.accounts.backends.StaffBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:sign-in"

# Sign-in throttling: five failures for one username from one address locks it for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# An API batch may be up to 20 MB; forms stay far smaller.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
SESSION_COOKIE_AGE = 8 * 60 * 60  # one shift
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = None  # collectstatic is for production only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app folders so `lantern serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals_in_one_line": {"()": "lantern.core.log_filters.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["refusals_in_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LANTERN_LOG_LEVEL", "INFO")},
}

# Linkage: two records are the same person at or above this match probability; pairs
# between the review floor and it go to the MASH researchers' review queue.
LANTERN_LINK_MATCH_PROBABILITY = 0.995
LANTERN_LINK_REVIEW_FLOOR = 0.5

# Working-time clocks (lantern/core/clock.py) count only these local wall-clock hours on working days.
LANTERN_WORKING_DAY = ("09:00", "17:00")

# The front door's clocks (lantern.referrals.clocks): no national standard exists, so these are
# the published examples in docs/clocks.md, to be set by each partnership. "unrated" runs until
# a researcher rates the contact.
LANTERN_TRIAGE_CLOCKS = {
    "red": "4 working hours", "amber": "24 working hours", "green": "72 hours", "blue": "72 hours",
    "unrated": "1 working day",
}
# Working Together: a decision on a referral from a professional within one working day.
LANTERN_REFERRAL_DECISION_CLOCK = "1 working day"
# Partner agencies' answers to the MASH (Merton's published example).
LANTERN_PARTNER_REPLY_CLOCKS = {
    "red": "2 working hours", "amber": "6 working hours", "green": "24 working hours", "blue": "24 working hours",
    "unrated": "24 working hours",
}
# A contact with no named researcher after this goes to the supervisor.
LANTERN_UNALLOCATED_ALERT = "2 working hours"
# Imported events older than this do not make contacts: a back-load of history is not news.
LANTERN_AUTO_CONTACT_WINDOW_DAYS = 14
# The public concern form: reports accepted from one address per hour.
LANTERN_PUBLIC_REPORTS_PER_HOUR = 5

# Safeguarding rules (lantern.safeguarding.rules): thresholds and clocks are policy, set per
# partnership. See docs/safeguarding-rules.md for each one's source.
# Live runs (imports, forms, the API) skip events older than this; `lantern rules replay` does not.
LANTERN_RULES_WINDOW_DAYS = 14
# Operation Encompass: school days are weekdays inside these (start, end) pairs that are not bank
# holidays; the notification is due before the next one starts. Typical London community-school
# half terms for 2024-25 to 2026-27: set your boroughs' own dates.
LANTERN_SCHOOL_TERMS = [
    ("2024-09-04", "2024-10-25"), ("2024-11-04", "2024-12-20"), ("2025-01-06", "2025-02-14"),
    ("2025-02-24", "2025-04-04"), ("2025-04-22", "2025-05-23"), ("2025-06-02", "2025-07-22"),
    ("2025-09-03", "2025-10-24"), ("2025-11-03", "2025-12-19"), ("2026-01-05", "2026-02-13"),
    ("2026-02-23", "2026-03-27"), ("2026-04-13", "2026-05-22"), ("2026-06-01", "2026-07-21"),
    ("2026-09-02", "2026-10-23"), ("2026-11-02", "2026-12-18"), ("2027-01-04", "2027-02-12"),
    ("2027-02-22", "2027-03-26"), ("2027-04-12", "2027-05-28"), ("2027-06-07", "2027-07-21"),
]
LANTERN_SCHOOL_DAY_START = "08:30"
# Missing children: this many episodes within this many days call for exploitation screening.
LANTERN_RULE_REPEAT_MISSING_EPISODES = 3
LANTERN_RULE_REPEAT_MISSING_DAYS = 90
LANTERN_RULE_SCREENING_CLOCK = "3 working days"
LANTERN_RULE_RETURN_INTERVIEW_CLOCK = "72 hours"
# Domestic abuse: a MARAC referral for this many incidents (same victim) within this many days.
LANTERN_RULE_MARAC_INCIDENTS = 3
LANTERN_RULE_MARAC_WINDOW_DAYS = 365
LANTERN_RULE_MARAC_CLOCK = "1 working day"
# Children in custody: the local authority told at once; a PACE transfer clock; "overnight" means
# still detained when the wall clock next shows this time; how far back the scheduled run looks.
LANTERN_RULE_CUSTODY_LA_CLOCK = "0 minutes"
LANTERN_RULE_PACE_TRANSFER_CLOCK = "4 hours"
LANTERN_CUSTODY_OVERNIGHT_AT = "00:00"
LANTERN_RULE_CUSTODY_LOOKBACK_DAYS = 4
# Registered sex offenders: review where a child lives; home visits by risk grade.
LANTERN_RULE_RSO_REVIEW_CLOCK = "1 working day"
LANTERN_RULE_RSO_VISIT_INTERVALS = {"very_high": "42 days", "high": "91 days", "medium": "182 days", "low": "365 days"}
# Indecent images: these kinds of access to children make a suspect very high priority.
LANTERN_RULE_IIOC_ACCESS_TYPES = ["household", "work", "volunteering"]
LANTERN_RULE_IIOC_CLOCK = "1 working day"
# Child deaths, FGM.
LANTERN_RULE_CHILD_DEATH_REVIEW_CLOCK = "2 working days"
LANTERN_RULE_HOMICIDE_CLOCK = "0 minutes"
LANTERN_RULE_FGM_CLOCK = "1 hours"
LANTERN_RULE_SIBLING_CLOCK = "1 working day"
