"""Qinlin settings: every value comes from the environment through the small helpers below.

Production is the same module with `QINLIN_DEBUG=false`, a real `QINLIN_SECRET_KEY` and
`QINLIN_HTTPS=true` (which turns on secure cookies, HSTS and the HTTPS redirect). Several
servers share state through QINLIN_REDIS_URL, QINLIN_S3_BUCKET and one database (with
QINLIN_DATABASE_REPLICA_URL for the dashboard): docs/operations.md.
"""

from __future__ import annotations

import importlib.util
import os
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

# Lets admin.ModelAdmin[Model] and friends be subscripted at run time, as the stubs allow.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value!r}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(env_str("QINLIN_DATA_DIR", str(Path.cwd() / "data"))).resolve()


def _secret_key() -> str:
    """The key from the environment; otherwise one generated once and kept in the data dir.

    Keeping it on disk means logins survive a restart of the demo without anyone having
    to invent a key.
    """
    key = os.environ.get("QINLIN_SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    from django.core.management.utils import get_random_secret_key

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("QINLIN_DEBUG", default=False)
ALLOWED_HOSTS = env_list("QINLIN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("QINLIN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "qinlin.people.admin_site.QinlinAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "qinlin.core",
    "qinlin.places",
    "qinlin.people",
    "qinlin.organisations",
    "qinlin.appeals",
    "qinlin.topics",
    "qinlin.votes",
    "qinlin.works",
    "qinlin.disclosure",
    "qinlin.evaluation",
    "qinlin.notify",
    "qinlin.stats",
    "qinlin.demo",
    "qinlin.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qinlin.core.middleware.RefuseNulMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qinlin.people.middleware.StaffIdleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout seen anywhere below into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qinlin.urls"
WSGI_APPLICATION = "qinlin.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qinlin.core.context_processors.qinlin",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("QINLIN_DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'qinlin.sqlite3'}"
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Django's backend, asking again for the write lock when it stays taken
        # (qinlin/core/sqlite/base.py).
        config["ENGINE"] = "qinlin.core.sqlite"
        config["CONN_MAX_AGE"] = 0
        # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue on the
        # busy timeout instead of one failing with "database is locked" on upgrade.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    return config


DATABASES = {"default": _database()}
# A read replica takes only the dashboard's reads (core.db.reads_from_replica); everything
# else, and every write, stays on the primary.
_REPLICA_URL = os.environ.get("QINLIN_DATABASE_REPLICA_URL")
if _REPLICA_URL:
    DATABASES["replica"] = dict(
        dj_database_url.parse(_REPLICA_URL, conn_max_age=60, conn_health_checks=True)
    )
    # Tests point it at the primary's test database instead of creating one of its own.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["qinlin.core.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked phone or address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "core:start"
LOGOUT_REDIRECT_URL = "core:start"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise expects the folder to exist even before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"


def _upload_storage() -> dict[str, Any]:
    """Where uploads go: files under MEDIA_ROOT, or an S3-compatible bucket when one is named.

    Uploads are served only through core.files.private_file after a permission check, so
    the bucket stays private and no signed URL is ever handed out.
    """
    bucket = env_str("QINLIN_S3_BUCKET", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ValueError(
            "QINLIN_S3_BUCKET is set but django-storages[s3] is not installed: "
            "pip install 'qinlin[s3]'"
        )
    access_key = env_str("QINLIN_S3_ACCESS_KEY", "")
    secret_key = env_str("QINLIN_S3_SECRET_KEY", "")
    if not access_key or not secret_key:
        raise ValueError("QINLIN_S3_BUCKET needs QINLIN_S3_ACCESS_KEY and QINLIN_S3_SECRET_KEY")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_str("QINLIN_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("QINLIN_S3_REGION", "") or None,
            "access_key": access_key,
            "secret_key": secret_key,
            "location": env_str("QINLIN_S3_PREFIX", "").strip("/"),
            "default_acl": "private",
            "querystring_auth": False,
            # Names are fresh uids already; never let a clash replace someone's photo.
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": _upload_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app folders when collectstatic has not run (the demo), so that
# `make demo` works on a fresh clone; production runs collectstatic as usual.
WHITENOISE_USE_FINDERS = True

# Several app servers share one cache only through Redis; without it each process has its
# own (the demo runs one). Rate-limit counters live in this cache too.
QINLIN_REDIS_URL = env_str("QINLIN_REDIS_URL", "")
_CACHE_PREFIX = env_str("QINLIN_CACHE_PREFIX", "qinlin")
if QINLIN_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": QINLIN_REDIS_URL,
            "KEY_PREFIX": _CACHE_PREFIX,
            # A Redis that stops answering fails a request within seconds instead of
            # holding every worker of every server until the kernel gives up.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Sessions are read from Redis and written through to the database, so a Redis flush or
    # restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": _CACHE_PREFIX,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * env_int("QINLIN_SESSION_DAYS", 14)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

HTTPS = env_bool("QINLIN_HTTPS", default=False)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("QINLIN_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# No inline script or style anywhere (tests/core/test_browser_security.py greps the
# templates), so neither 'unsafe-inline' nor nonces are needed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("QINLIN_LOG_LEVEL", "WARNING")},
    # django-axes warns on every failed login with the phone and address typed; the attempts
    # table keeps what the lockout needs, so the log does not copy personal data.
    "loggers": {"axes": {"level": "ERROR"}},
}

# --- accounts (docs/security.md §2) ----------------------------------------------------------
# Failed logins lock the phone (from any address) or the address (for any phone) for a while.
QINLIN_LOGIN_ACCOUNT_LIMIT = env_int("QINLIN_LOGIN_ACCOUNT_LIMIT", 5)
QINLIN_LOGIN_ADDRESS_LIMIT = env_int("QINLIN_LOGIN_ADDRESS_LIMIT", 20)
QINLIN_LOGIN_LOCK_MINUTES = env_int("QINLIN_LOGIN_LOCK_MINUTES", 15)
# How many reverse proxies stand in front of the site, each adding the address it saw to
# X-Forwarded-For; 0 trusts no header and takes the connection's own address.
QINLIN_TRUSTED_PROXIES = env_int("QINLIN_TRUSTED_PROXIES", 0, minimum=0)
# Staff sessions end after this long without a request (residents keep the cookie's age).
QINLIN_STAFF_IDLE_MINUTES = env_int("QINLIN_STAFF_IDLE_MINUTES", 120)
AXES_HANDLER = "qinlin.people.throttle.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# LoginThrottle folds both limits into one count that is 1 when either is reached.
AXES_FAILURE_LIMIT = 1
AXES_COOLOFF_TIME = timedelta(minutes=QINLIN_LOGIN_LOCK_MINUTES)
AXES_RESET_ON_SUCCESS = False  # LoginThrottle resets the phone's count, not the address's
AXES_USERNAME_CALLABLE = "qinlin.people.throttle.login_phone"
AXES_CLIENT_IP_CALLABLE = "qinlin.core.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "qinlin.people.account_views.login_locked"
# Successful logins are not kept: who logged in from where is personal data we do not need.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Qinlin"
# Password-reset codes: how long one lasts, how many guesses it takes, how often one is sent.
QINLIN_RESET_CODE_MINUTES = 15
QINLIN_RESET_CODE_ATTEMPTS = 5
QINLIN_RESET_PER_PHONE_HOUR = 3
QINLIN_RESET_PER_ADDRESS_HOUR = 10

QINLIN_SITE_NAME = _("亲邻议事")
# Days within which a request for disclosure (依申请公开) is to be answered.
QINLIN_DISCLOSURE_DUE_DAYS = env_int("QINLIN_DISCLOSURE_DUE_DAYS", 15)

# --- abuse limits (docs/security.md §4) ------------------------------------------------------
# Addresses are counted as core.ratelimit.client_ip reads them, behind QINLIN_TRUSTED_PROXIES.


def _rate_limits(value: str) -> dict[str, tuple[int, int, int]]:
    """`action=per person/per address/window seconds`, separated by semicolons."""
    limits: dict[str, tuple[int, int, int]] = {}
    for entry in filter(None, (part.strip() for part in value.split(";"))):
        action, _sep, numbers = entry.partition("=")
        try:
            person, address, window = (int(n) for n in numbers.split("/"))
        except ValueError:
            raise ValueError(
                f"QINLIN_RATE_LIMITS entries read like appeals.submit=10/30/3600, not {entry!r}"
            ) from None
        if min(person, address) < 0 or window <= 0:
            raise ValueError(f"QINLIN_RATE_LIMITS: counts 0 or more, a window above 0: {entry!r}")
        limits[action.strip()] = (person, address, window)
    return limits


# Overrides of the table in qinlin/core/ratelimit.py, action by action; 0 turns a side off.
QINLIN_RATE_LIMITS = _rate_limits(env_str("QINLIN_RATE_LIMITS", ""))

# --- notifications (docs/notifications.md) ---------------------------------------------------
# Background work runs from the database: `qinlin worker` takes the tasks the changes queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The site's address, for links in e-mails, text messages and group posts.
QINLIN_BASE_URL = env_str("QINLIN_BASE_URL", "http://127.0.0.1:8000")


def _quiet_hours(value: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ValueError(f"QINLIN_QUIET_HOURS must read like 22:00-07:00, not {value!r}") from None
    return start, end


# Non-urgent messages wait out these hours (local time) unless a person turns this off.
QINLIN_QUIET_HOURS = _quiet_hours(env_str("QINLIN_QUIET_HOURS", "22:00-07:00"))
QINLIN_DIGEST_HOUR = env_int("QINLIN_DIGEST_HOUR", 8)
QINLIN_NOTIFY_TIMEOUT = env_int("QINLIN_NOTIFY_TIMEOUT", 10)
# A message still "sending" after this long was in the hands of a worker that died; keep it
# well above QINLIN_NOTIFY_TIMEOUT, or a slow but live send is set aside as in doubt.
QINLIN_NOTIFY_LEASE_SECONDS = env_int("QINLIN_NOTIFY_LEASE_SECONDS", 120)
# Group robots may post only to these addresses (the platforms' own, unless widened).
QINLIN_ROBOT_URL_PREFIXES = env_list(
    "QINLIN_ROBOT_URL_PREFIXES",
    [
        "https://qyapi.weixin.qq.com/",
        "https://oapi.dingtalk.com/",
        "https://open.feishu.cn/",
    ],
)
# SMS: "console" prints messages; "http" posts them to a gateway (docs/notifications.md).
QINLIN_SMS_BACKEND = env_str("QINLIN_SMS_BACKEND", "console")
if QINLIN_SMS_BACKEND not in ("console", "http"):
    raise ValueError(f"QINLIN_SMS_BACKEND must be console or http, not {QINLIN_SMS_BACKEND!r}")
QINLIN_SMS_URL = env_str("QINLIN_SMS_URL", "")
QINLIN_SMS_TOKEN = env_str("QINLIN_SMS_TOKEN", "")
QINLIN_SMS_SIGNATURE = env_str("QINLIN_SMS_SIGNATURE", "亲邻议事")
if QINLIN_SMS_BACKEND == "http" and not QINLIN_SMS_URL:
    raise ValueError("QINLIN_SMS_BACKEND=http needs QINLIN_SMS_URL")
# E-mail: Django's SMTP backend when QINLIN_EMAIL_HOST is set, else printed to the console.
EMAIL_HOST = env_str("QINLIN_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("QINLIN_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("QINLIN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("QINLIN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("QINLIN_EMAIL_TLS", default=True)
EMAIL_TIMEOUT = QINLIN_NOTIFY_TIMEOUT
DEFAULT_FROM_EMAIL = env_str("QINLIN_EMAIL_FROM", "noreply@qinlin.localhost")
QINLIN_EMAIL_DOMAIN = DEFAULT_FROM_EMAIL.rpartition("@")[2] or "qinlin.localhost"
