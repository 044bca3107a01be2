"""Django settings: SQLite file by default, PostgreSQL when LIFECIRCLE_DATABASE_URL is set.

Environment:
- LIFECIRCLE_DATABASE_URL  postgresql://user[:password]@host[:port]/name (psycopg 3)
- LIFECIRCLE_DB_PATH       SQLite file (default ./lifecircle.sqlite3)
- LIFECIRCLE_SECRET_KEY, LIFECIRCLE_DEBUG, LIFECIRCLE_ALLOWED_HOSTS, LIFECIRCLE_MEDIA_ROOT
- LIFECIRCLE_HTTPS=1           behind HTTPS: HSTS, secure cookies, redirect to https
- LIFECIRCLE_LOG_DIR           where lifecircle.log goes (default ./lifecircle-logs)
- LIFECIRCLE_SQLITE_SYNCHRONOUS  FULL (default: every commit reaches the disk) or NORMAL (faster;
                               in WAL mode a power cut can lose the last commits, a crash cannot)
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


def database_from_url(url: str) -> dict:
    """Django DATABASES entry for a postgresql:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(
            f"LIFECIRCLE_DATABASE_URL: 只支持 postgresql:// only postgresql:// URLs are supported, got {parts.scheme!r}"
        )
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,  # a connection broken while the database was away is replaced
        "TEST": {"NAME": f"test_lifecircle_{os.getpid()}"},
    }


def sqlite_database(path: str | os.PathLike) -> dict:
    """Django DATABASES entry for a SQLite file, tuned for several writers (WAL, immediate)."""
    synchronous = os.environ.get("LIFECIRCLE_SQLITE_SYNCHRONOUS", "FULL").upper()
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(
            f"LIFECIRCLE_SQLITE_SYNCHRONOUS: 可选 FULL 或 NORMAL must be FULL or NORMAL, got {synchronous!r}"
        )
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "CONN_MAX_AGE": 600,  # keep each thread's connection: opening one runs the PRAGMAs again
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous};",
        },
        # A file, not memory, so that tests with threads see real locking.
        "TEST": {
            "NAME": str(Path(tempfile.gettempdir()) / f"lifecircle-test-{os.getpid()}.sqlite3")
        },
    }


BUILTIN_SECRET_KEY = "lifecircle-local-only-set-LIFECIRCLE_SECRET_KEY"
SECRET_KEY = os.environ.get("LIFECIRCLE_SECRET_KEY", BUILTIN_SECRET_KEY)
DEBUG = os.environ.get("LIFECIRCLE_DEBUG", "") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"] + [
    h for h in os.environ.get("LIFECIRCLE_ALLOWED_HOSTS", "").split(",") if h
]

_url = os.environ.get("LIFECIRCLE_DATABASE_URL")
DATABASES = {
    "default": database_from_url(_url)
    if _url
    else sqlite_database(os.environ.get("LIFECIRCLE_DB_PATH", "lifecircle.sqlite3"))
}
# Migrations as the owner role when one is given (`lifecircle db roles`); the service itself
# connects with the app role of LIFECIRCLE_DATABASE_URL.
if os.environ.get("LIFECIRCLE_OWNER_DATABASE_URL"):
    DATABASES["owner"] = database_from_url(os.environ["LIFECIRCLE_OWNER_DATABASE_URL"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "lifecircle.store.org",
    "lifecircle.store.stations",
    "lifecircle.store.requests",
    "lifecircle.store.roster",
    "lifecircle.store.inspections",
    "lifecircle.store.volunteers",
    "lifecircle.store.notify",
    "lifecircle.store.surveys",
    "lifecircle.store.deliberation",
    "lifecircle.store.projects",
    "lifecircle.web.pages",
]

MIDDLEWARE = [
    "lifecircle.web.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "lifecircle.web.middleware.BadInputMiddleware",
    "lifecircle.web.middleware.DatabaseDownMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lifecircle.web.urls"
WSGI_APPLICATION = "lifecircle.web.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("LIFECIRCLE_MEDIA_ROOT", "lifecircle-media")).resolve()
LOGIN_URL = "/accounts/login/"
# The pages' own wording wins over Django's catalogues for the same English strings.
LOCALE_PATHS = [Path(__file__).resolve().parents[1] / "web" / "pages" / "locale"]
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"


def _leaflet_static() -> list:
    """Leaflet from the xstatic-leaflet package, served at /static/leaflet/ (no CDN)."""
    import xstatic.pkg.leaflet as leaflet

    return [("leaflet", leaflet.BASE_DIR)]


STATICFILES_DIRS = _leaflet_static()


# --- Safety (docs/ops.md "Deployment"): the single place for these policies. ---

# Content-Security-Policy on every response: scripts and styles only from our own static
# files (no inline script, no CDN). New pages put their JavaScript in static/…/*.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login lockout (django-axes): 5 failures lock the user name and, separately, the address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "lifecircle.web.middleware.login_locked_out"
# Open311 keys and bearer tokens: this many failures from one address within the window → 429.
KEY_FAILURE_LIMIT = 10
KEY_FAILURE_WINDOW = timedelta(minutes=15)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Behind HTTPS (LIFECIRCLE_HTTPS=1): what `manage.py check --deploy` asks for.
HTTPS = os.environ.get("LIFECIRCLE_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Errors go to the console and to a file, each line with the request id.
LOG_DIR = Path(os.environ.get("LIFECIRCLE_LOG_DIR", "lifecircle-logs")).resolve()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lifecircle.web.middleware.RequestIdFilter"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "line",
        },
        "file": {
            "class": "lifecircle.web.middleware.LazyFileHandler",
            "filename": str(LOG_DIR / "lifecircle.log"),
            "filters": ["request_id"],
            "formatter": "line",
        },
    },
    "root": {"handlers": ["console", "file"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console", "file"], "level": "WARNING", "propagate": False},
        # 4xx answers are the callers' mistakes, answered in words; log the 5xx only
        "django.request": {"handlers": ["console", "file"], "level": "ERROR", "propagate": False},
        "lifecircle": {"handlers": ["console", "file"], "level": "INFO", "propagate": False},
    },
}

# Uploads: kept up to the photo limit only, never wholly in memory (lifecircle.web.uploads).
FILE_UPLOAD_HANDLERS = ["lifecircle.web.uploads.LimitedUploadHandler"]
