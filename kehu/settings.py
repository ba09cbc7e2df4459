"""Kehu settings: one file, every value from the environment with a safe default.

Typed helpers read each variable; a value that cannot be understood stops the process with
ImproperlyConfigured naming the variable, rather than running with a silently wrong setting.
README.md lists every variable.
"""

import datetime
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kehu.core import logs

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected true/false")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected an integer") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}: expected one of {sorted(choices)}")
    return value


def env_url(name: str, default: str) -> str:
    value = env_str(name, default).rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"{name}={value!r}: expected an http:// or https:// address")
    return value


def env_json_object(name: str) -> dict:
    raw = env_str(name)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: not valid JSON") from None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name}: expected a JSON object")
    return value


KEHU_ENV = env_choice("KEHU_ENV", "development", {"development", "production"})
PRODUCTION = KEHU_ENV == "production"
DEBUG = env_bool("KEHU_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("KEHU_DEBUG=true is not allowed with KEHU_ENV=production")

VAR_DIR = Path(env_str("KEHU_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Production must bring its own key; a trial install keeps a random one under var/."""
    key = env_str("KEHU_SECRET_KEY")
    if key:
        if PRODUCTION and len(key) < 50:
            raise ImproperlyConfigured("KEHU_SECRET_KEY: must be at least 50 characters")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("KEHU_SECRET_KEY: required when KEHU_ENV=production")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("KEHU_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("KEHU_ALLOWED_HOSTS: required when KEHU_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("KEHU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "kehu.core.apps.MaintenanceAdminConfig",  # django.contrib.admin, administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "huey.contrib.djhuey",
    "axes",
    "csp",
    "kehu.core",
    "kehu.accounts",
    "kehu.audit",
    "kehu.refdata",
    "kehu.numbering",
    "kehu.customers",
    "kehu.dedup",
    "kehu.notify",
    "kehu.files",
    "kehu.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kehu.urls"
WSGI_APPLICATION = "kehu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kehu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kehu.core.navigation.navigation",
                "kehu.notify.context.unread_notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
    if _db["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured("DATABASE_URL: only postgres:// and sqlite:// are supported")
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "kehu.sqlite3"}

if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on the busy timeout instead of failing mid-transaction with "locked".
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;"
            "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000"
        ),
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work (Huey) -----------------------------------------------------------------
HUEY = {
    "name": "kehu",
    "immediate": env_bool("KEHU_HUEY_IMMEDIATE", False),
    "consumer": {"workers": env_int("KEHU_WORKERS", 2, minimum=1), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# --- Authentication and security ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kehu.accounts.backends.AccessBackend",  # ModelBackend, with access kept per process
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (DESIGN.md "Login lockout", kehu.accounts.lockout): a user name is locked from one
# address after KEHU_LOGIN_FAILURE_LIMIT failures there; an address failing more than
# KEHU_LOGIN_ADDRESS_FAILURES times, whatever the names, waits 1, 2, 4 … seconds (up to
# KEHU_LOGIN_MAX_DELAY_SECONDS) before each further attempt. Both answer 429 with Retry-After.
AXES_FAILURE_LIMIT = env_int("KEHU_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("KEHU_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "kehu.accounts.lockout.LoginThrottle"
AXES_RESET_ON_SUCCESS = True
# A refused attempt tested no password: counting it would let anyone prolong a lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "kehu.accounts.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("KEHU_PROXY_COUNT", 0)
# Counts failures against the real client behind KEHU_PROXY_COUNT proxies, not the proxy.
AXES_CLIENT_IP_CALLABLE = "kehu.accounts.lockout.client_ip"
KEHU_LOGIN_ADDRESS_FAILURES = env_int("KEHU_LOGIN_ADDRESS_FAILURES", 20, minimum=1)
KEHU_LOGIN_MAX_DELAY_SECONDS = env_int("KEHU_LOGIN_MAX_DELAY_SECONDS", 60, minimum=1)
AXES_ENABLED = env_bool("KEHU_AXES_ENABLED", True)
# The maintenance tool (core.maintenance) shows no English pages: axes' attempts are not listed
# there (a lockout ends by itself; `kehu axes_reset_username NAME` ends it at once).
AXES_ENABLE_ADMIN = False

SESSION_COOKIE_AGE = env_int("KEHU_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("KEHU_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("KEHU_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SILENCED_SYSTEM_CHECKS = [] if SECURE_SSL_REDIRECT else ["security.W008"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Mail -----------------------------------------------------------------------------------
# Without a mail server, mail goes to the console (development) and notifications by email are
# not offered in production (kehu.notify.services.email_available); 忘记密码 tells people to ask
# an administrator (who resets it in 设置).
EMAIL_HOST = env_str("KEHU_EMAIL_HOST")
EMAIL_CONFIGURED = bool(EMAIL_HOST)
EMAIL_PORT = env_int("KEHU_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("KEHU_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("KEHU_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("KEHU_EMAIL_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("KEHU_EMAIL_FROM", "kehu@localhost")
if not EMAIL_CONFIGURED:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


# --- Notifications (kehu.notify) ------------------------------------------------------------
# The address people open Kehu at: links in mails and robot messages. Empty: messages carry no
# link (a production install should set it).
KEHU_SITE_URL = env_url("KEHU_SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000")
KEHU_WEBHOOK_TIMEOUT_SECONDS = env_int("KEHU_WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
# Robot servers of a private 企业微信/钉钉 deployment, allowed to resolve to intranet addresses.
KEHU_WEBHOOK_INTRANET_HOSTS = [h.lower() for h in env_list("KEHU_WEBHOOK_INTRANET_HOSTS", [])]
KEHU_DELIVERY_MAX_ATTEMPTS = env_int("KEHU_DELIVERY_MAX_ATTEMPTS", 5, minimum=1)

# --- Attachments (kehu.files) and uploads ---------------------------------------------------
# Attachments live in the storage aliased "attachments": files under KEHU_VAR_DIR/files,
# readable by the server's user only and never under a static or media url (they are served
# by kehu.files.views after the owner's scope check). KEHU_FILES_STORAGE names another Django
# storage class (storages.backends.s3.S3Storage for S3-compatible storage, with
# django-storages installed) and KEHU_FILES_STORAGE_OPTIONS its options as a JSON object.
KEHU_UPLOAD_MAX_MB = env_int("KEHU_UPLOAD_MAX_MB", 20, minimum=1)
KEHU_UPLOAD_MAX_BYTES = KEHU_UPLOAD_MAX_MB * 1024 * 1024


_files_storage = env_str("KEHU_FILES_STORAGE")
ATTACHMENTS_STORAGE = (
    {"BACKEND": _files_storage, "OPTIONS": env_json_object("KEHU_FILES_STORAGE_OPTIONS")}
    if _files_storage
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": VAR_DIR / "files",
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
)
# A form's fields besides its files: 2.5 MB is far more than any form of Kehu sends. Files past
# FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file, not held in memory, and a file
# larger than KEHU_UPLOAD_MAX_MB is not even spooled (kehu.files.uploads.SizeLimitUploadHandler).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_HANDLERS = [
    "kehu.files.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Internationalisation -------------------------------------------------------------------
# Source strings are written in Chinese (the default language); locale/en translates them.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kehu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
FORMAT_MODULE_PATH = ["kehu.formats"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "kehu" / "static",
    # Third-party front-end files come from npm (package-lock.json), never from the repo.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/alpinejs", BASE_DIR / "node_modules" / "@alpinejs" / "csp" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "attachments": ATTACHMENTS_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Logging --------------------------------------------------------------------------------
# One time zone on every line (TIME_ZONE, with its offset); libraries' routine INFO and the
# worker heartbeat go to the log file, not the console, unless asked for (kehu.core.logs).
LOG_LEVEL = env_choice("KEHU_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOG_FILE = env_str("KEHU_LOG_FILE", str(VAR_DIR / "log" / "kehu.log"))
if LOG_FILE:
    Path(LOG_FILE).parent.mkdir(parents=True, exist_ok=True)
LOGGING = logs.config(
    level=LOG_LEVEL,
    log_file=LOG_FILE,
    quiet_console=env_bool("KEHU_LOG_QUIET_CONSOLE", not PRODUCTION),
)

NINJA_PAGINATION_MAX_LIMIT = 200
API_TOKEN_DAYS = env_int("KEHU_API_TOKEN_DAYS", 90, minimum=1)

# --- Customers ------------------------------------------------------------------------------
KEHU_CUSTOMER_NUMBER_PATTERN = env_str("KEHU_CUSTOMER_NUMBER_PATTERN", "C{date:%Y%m%d}{seq:03d}")
try:
    KEHU_CUSTOMER_NUMBER_PATTERN.format(date=datetime.date(2024, 5, 15), seq=1)
except (KeyError, ValueError, IndexError) as _exc:
    raise ImproperlyConfigured(f"KEHU_CUSTOMER_NUMBER_PATTERN: {_exc!r}") from None
