"""Django settings. Everything that differs between deployments comes from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent
HOME = Path(os.environ.get("SIGHTLINE_HOME", "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SIGHTLINE_SECRET_KEY, or one generated once into SIGHTLINE_HOME (never committed)."""
    from_env = os.environ.get("SIGHTLINE_SECRET_KEY")
    if from_env:
        return from_env
    path = HOME / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


def _database(url: str | None) -> dict[str, object]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HOME / "sightline.sqlite3"),
            # IMMEDIATE avoids lock-upgrade deadlocks between writers; WAL and FULL sync are set
            # on every new connection (see sightline.ledger.apps).
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30},
            "TEST": {"NAME": str(HOME / "test-sightline.sqlite3")},
        }
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DATABASE_URL: unsupported scheme {parsed.scheme!r} (use postgres://)")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        # No JIT: it compiles any plan the planner thinks costly (a common name's search), at 50 to
        # 150 ms a time that a page's query never wins back. Bulk linkage runs in DuckDB.
        "OPTIONS": {"options": "-c jit=off"},
    }


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SIGHTLINE_DEBUG") == "1"
DEMO_MODE = os.environ.get("SIGHTLINE_DEMO") == "1"
ALLOWED_HOSTS = os.environ.get("SIGHTLINE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "sightline.ledger",
    "sightline.access",
    "sightline.people",
    "sightline.people.pprl",
    "sightline.extracts",
    "sightline.cases",
    "sightline.intelligence",
    "sightline.outreach",
    "sightline.sharing",
    "sightline.accountability",
    "sightline.reports",
    "sightline.notifications",
    "sightline.web",
    "sightline.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every action the request records is ledgered in one append, before the response leaves.
    "sightline.ledger.middleware.BatchedActionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "sightline.access.middleware.SessionIdleTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
    "sightline.config.errors.NotFoundMiddleware",
    "sightline.web.drafts.DraftMiddleware",
    # A page's sections share what they read (safe requests only).
    "sightline.core.memo.ReadsMemoMiddleware",
]

ROOT_URLCONF = "sightline.config.urls"
WSGI_APPLICATION = "sightline.config.wsgi.application"

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
                "sightline.web.context_processors.service",
            ],
        },
    },
]

AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"

# Lockout after repeated failures (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("SIGHTLINE_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "sightline.web.views.access.lockout_response"  # GOV.UK "too many attempts" page

OTP_TOTP_ISSUER = "Sightline"
# Break-glass access lasts this long; every grant waits for the independent reviewer.
BREAK_GLASS_MINUTES = int(os.environ.get("SIGHTLINE_BREAK_GLASS_MINUTES", "240"))
API_TOKEN_DAYS = int(os.environ.get("SIGHTLINE_API_TOKEN_DAYS", "90"))

# Sessions expire after inactivity; the idle middleware enforces it server-side.
SESSION_IDLE_SECONDS = int(os.environ.get("SIGHTLINE_SESSION_IDLE_SECONDS", "1800"))
# Pages warn this long before the idle sign-out, in a dialog that can keep the session (docs/access.md).
SESSION_IDLE_WARNING_SECONDS = int(os.environ.get("SIGHTLINE_SESSION_WARNING_SECONDS", "120"))
# Drafts of long forms not submitted are deleted this many days after they were last saved.
DRAFT_DAYS = int(os.environ.get("SIGHTLINE_DRAFT_DAYS", "7"))
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
_SECURE = os.environ.get("SIGHTLINE_INSECURE_HTTP") != "1" and not DEMO_MODE and not DEBUG
SESSION_COOKIE_SECURE = _SECURE
CSRF_COOKIE_SECURE = _SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Behind a TLS-terminating reverse proxy (docs/deploy.md) the application sees plain HTTP: without
# the proxy's word that the browser used HTTPS, every form fails the CSRF Origin check. Only the
# proxy's own address is believed; ``serve`` strips these headers from anyone else.
TRUSTED_PROXY = os.environ.get("SIGHTLINE_TRUSTED_PROXY", "").strip()
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
CSRF_TRUSTED_ORIGINS = _list("SIGHTLINE_CSRF_TRUSTED_ORIGINS")
# Sent only on HTTPS responses (SecurityMiddleware), so plain-HTTP development is unaffected.
SECURE_HSTS_SECONDS = int(os.environ.get("SIGHTLINE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SIGHTLINE_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = _flag("SIGHTLINE_HSTS_PRELOAD")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
# GOV.UK Frontend 6 ships its CSS, JS and assets in dist/govuk/; they are served as /static/govuk/...
_GOVUK = REPO_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STATICFILES_DIRS = [("govuk", _GOVUK)] if _GOVUK.exists() else []
# GOV.UK Frontend's CSS with the system font stack instead of GDS Transport (web/staticfiles.py).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "sightline.web.staticfiles.SystemFontFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed but not hashed: app.js imports ../govuk/govuk-frontend.min.js by its plain name.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Evidence documents, named by their SHA-256 and read-only once written.
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("SIGHTLINE_EVIDENCE_DIR", str(HOME / "evidence")),
            "file_permissions_mode": 0o440,
        },
    },
}
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up if it is missing

NINJA_PAGINATION_CLASS = "sightline.api.core.Pagination"
NINJA_PAGINATION_MAX_LIMIT = 200

# Ledger
LEDGER_ORIGIN = os.environ.get("SIGHTLINE_LEDGER_ORIGIN", "sightline.example/ledger")
LEDGER_KEY_PATH = Path(os.environ.get("SIGHTLINE_LEDGER_KEY", str(HOME / "ledger-signing-key.pem")))
# Witnesses that cosign each new checkpoint: a file of "<verifier key> <url>" lines (docs/partnership.md).
LEDGER_WITNESSES = os.environ.get("SIGHTLINE_WITNESSES", "")
LEDGER_CHECKPOINT_DIR = Path(os.environ.get("SIGHTLINE_CHECKPOINT_DIR", str(HOME / "checkpoints")))
LEDGER_CHECKPOINT_EVERY = int(os.environ.get("SIGHTLINE_CHECKPOINT_EVERY", "10000"))
# Seconds between the incremental verifications that ``serve`` runs (docs/deploy.md).
LEDGER_VERIFY_EVERY = float(os.environ.get("SIGHTLINE_VERIFY_EVERY", "300"))

# Import limits (docs/import.md), enforced while an extract streams in; each refusal names the setting.
IMPORT_MAX_ROWS = int(os.environ.get("SIGHTLINE_IMPORT_MAX_ROWS", "1000000"))
IMPORT_MAX_ROW_LENGTH = int(os.environ.get("SIGHTLINE_IMPORT_MAX_ROW_LENGTH", str(1024**2)))
IMPORT_MAX_BYTES = int(os.environ.get("SIGHTLINE_IMPORT_MAX_BYTES", str(1024**3)))
IMPORT_MAX_RATIO = int(os.environ.get("SIGHTLINE_IMPORT_MAX_RATIO", "100"))

# Case work (docs/case-work.md). Triage deadlines in hours per urgency, e.g. "urgent=24,standard=72".
_TRIAGE = os.environ.get("SIGHTLINE_TRIAGE_HOURS", "urgent=24,standard=72")
SIGHTLINE_TRIAGE_HOURS = {k.strip(): int(v) for k, v in (p.split("=") for p in _TRIAGE.split(","))}
# Hours within which a re-screen falls due after a trigger of this kind; other kinds wait for the
# reassessment date. "disclosure": a return interview in which the child disclosed harm.
_RESCREEN = os.environ.get("SIGHTLINE_RESCREEN_HOURS", "disclosure=72")
SIGHTLINE_RESCREEN_HOURS = {k.strip(): int(v) for k, v in (p.split("=") for p in _RESCREEN.split(",") if p)}
# A YAML indicator set for screening; blank means the shipped SERAF-style set.
SIGHTLINE_SCREENING_INDICATORS = os.environ.get("SIGHTLINE_SCREENING_INDICATORS", "")
SIGHTLINE_LOCAL_AUTHORITY = os.environ.get("SIGHTLINE_LOCAL_AUTHORITY", "Sightline Borough Council")
# The outreach the council funds (docs/outreach.md): workers, and children each can hold.
SIGHTLINE_OUTREACH_FUNDED = os.environ.get("SIGHTLINE_OUTREACH_FUNDED", "workers=6,caseload=10")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_on_one_line": {"()": "sightline.config.logs.ClientErrorsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["client_errors_on_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("SIGHTLINE_LOG_LEVEL", "WARNING")},
}

# Lock out by account, not by IP: partner agencies share office NAT addresses.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Notifications (docs/notifications.md). Email goes by SMTP when SIGHTLINE_EMAIL_HOST is set, and is
# written to the console otherwise (the demo). An email never names a child.
EMAIL_HOST = os.environ.get("SIGHTLINE_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("SIGHTLINE_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("SIGHTLINE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SIGHTLINE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("SIGHTLINE_EMAIL_TLS", "1")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("SIGHTLINE_EMAIL_FROM", "sightline@localhost")
# The address emails link to: where users reach Sightline.
SIGHTLINE_BASE_URL = os.environ.get("SIGHTLINE_BASE_URL", "http://127.0.0.1:8000")
_NOTIFY = "missing,absent,police_incident,health_attendance,sexual_health,outreach_contact,concern"
SIGHTLINE_NOTIFY_KINDS = [
    k.strip() for k in os.environ.get("SIGHTLINE_NOTIFY_KINDS", _NOTIFY).split(",") if k.strip()
]
SIGHTLINE_NOTIFY_SCREENING_DAYS = int(os.environ.get("SIGHTLINE_NOTIFY_SCREENING_DAYS", "90"))
# Only events this recent are news; older ones that arrive late (a backfill) go on the chronology only.
SIGHTLINE_NOTIFY_WITHIN_DAYS = int(os.environ.get("SIGHTLINE_NOTIFY_WITHIN_DAYS", "45"))
# Statutory returns (docs/returns.md): the agency whose extract is the council's children's social care.
SIGHTLINE_RETURNS_AGENCY = os.environ.get("SIGHTLINE_RETURNS_AGENCY", "social_care")
