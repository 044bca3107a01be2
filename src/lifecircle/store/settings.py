"""Django settings: SQLite file by default, PostgreSQL when LIFECIRCLE_DATABASE_URL is set.

Environment:
- LIFECIRCLE_DATABASE_URL  postgresql://user[:password]@host[:port]/name (psycopg 3)
- LIFECIRCLE_DB_PATH       SQLite file (default ./lifecircle.sqlite3)
- LIFECIRCLE_SECRET_KEY, LIFECIRCLE_DEBUG, LIFECIRCLE_ALLOWED_HOSTS, LIFECIRCLE_MEDIA_ROOT
"""

import os
import tempfile
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
        "TEST": {"NAME": f"test_lifecircle_{os.getpid()}"},
    }


def sqlite_database(path: str | os.PathLike) -> dict:
    """Django DATABASES entry for a SQLite file, tuned for several writers (WAL, immediate)."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "CONN_MAX_AGE": 600,  # keep each thread's connection: opening one runs the PRAGMAs again
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        # A file, not memory, so that tests with threads see real locking.
        "TEST": {
            "NAME": str(Path(tempfile.gettempdir()) / f"lifecircle-test-{os.getpid()}.sqlite3")
        },
    }


SECRET_KEY = os.environ.get(
    "LIFECIRCLE_SECRET_KEY", "lifecircle-local-only-set-LIFECIRCLE_SECRET_KEY"
)
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
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
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
