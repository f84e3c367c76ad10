"""Settings shared by every environment. Everything comes from the environment (django-environ).

Secrets have no default here: `local` and `test` provide development defaults, `production`
refuses to start without them.
"""

import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

import environ

from core.observability import configure_structlog, logging_config, sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# --- Hosts and tenancy -------------------------------------------------------------------------
# The root domain serves the public URL set; `<subdomain>.<PLATFORM_DOMAIN>` serves a college.
PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", default="localhost").lower()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}"])

TENANT_MODEL = "tenants.College"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
# New colleges are clones of this schema, which `migrate_fleet` keeps current.
TENANT_TEMPLATE_SCHEMA = "template_college"
# Schemas cloned from the template ahead of time: a sign-up renames one instead of cloning
# (tenants/pool.py). Each costs what an empty college costs (docs/scaling.md); 0: no pool.
# Fleet-wide checks (migrations, sweeps) read this many schemas per statement: 1 on Citus.
TENANT_SCHEMAS_PER_STATEMENT = env.int("TENANT_SCHEMAS_PER_STATEMENT", default=500)
TENANT_SCHEMA_POOL_SIZE = env.int("TENANT_SCHEMA_POOL_SIZE", default=4)
TRIAL_DAYS = env.int("TRIAL_DAYS", default=14)
# A cancelled college's data export is kept this long, then its schema and files are dropped.
COLLEGE_DATA_RETENTION_DAYS = env.int("COLLEGE_DATA_RETENTION_DAYS", default=30)
# One `SET search_path` per request (and after a rollback), not one before every query.
TENANT_LIMIT_SET_CALLS = True
# How long a resolved host stays cached (invalidated on every College/Domain change anyway).
TENANT_CACHE_TIMEOUT = env.int("TENANT_CACHE_TIMEOUT", default=300)
# Unknown hosts are cached briefly so that random hosts cannot hammer the database.
TENANT_NEGATIVE_CACHE_TIMEOUT = env.int("TENANT_NEGATIVE_CACHE_TIMEOUT", default=30)
# A per-process layer in front of Redis, kept current by Redis pub/sub (tenants.resolution).
TENANT_LOCAL_CACHE = env.bool("TENANT_LOCAL_CACHE", default=True)
TENANT_LOCAL_CACHE_TIMEOUT = env.int("TENANT_LOCAL_CACHE_TIMEOUT", default=60)
TENANT_LOCAL_CACHE_SIZE = env.int("TENANT_LOCAL_CACHE_SIZE", default=10000)

# --- Applications ------------------------------------------------------------------------------
# `core` lives in every schema, `shared_apps` only in public, `tenant_apps` in each college.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "core.accounts",
    "core.audit",
    "core.outbox",
    "core.web",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "auditlog",
    "allauth",
    "allauth.account",
    "django_otp",
    "rest_framework_simplejwt.token_blacklist",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_structlog",
    "shared_apps.billing",
    "shared_apps.onboarding",
    "shared_apps.console",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "core.accounts",
    "core.audit",
    "core.outbox",
    "core.web",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "auditlog",
    "allauth",
    "allauth.account",
    "django_otp",
    "rest_framework_simplejwt.token_blacklist",
    "tenant_apps.kit",
    "tenant_apps.companies",
    "tenant_apps.students",
    "tenant_apps.drives",
    "tenant_apps.applications",
    "tenant_apps.interviews",
    "tenant_apps.analytics",
    "tenant_apps.assessments",
    "tenant_apps.notifications",
    "tenant_apps.announcements",
    "tenant_apps.administration",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

MIDDLEWARE = [
    # first, so that every response (an unknown host's 404 included) carries its request id
    "core.observability.RequestObservabilityMiddleware",
    # browsers get an error page where API clients get the envelope (core/web/errors.py)
    "core.web.errors.HtmlErrorMiddleware",
    "tenants.middleware.TenantResolutionMiddleware",
    # JSON endpoints leave here for JSON_MIDDLEWARE below (core/middleware.py); pages go on
    "core.middleware.JsonEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.CorsMiddleware",
    "tenants.middleware.TenantStatusMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.audit.middleware.AuditContextMiddleware",
    # a view's exception reaches the URL set's handlers, DEBUG or not (core/api/fallback.py)
    "core.api.fallback.ErrorPagesMiddleware",
]
# JSON endpoints: the API and health checks; the API's HTML documentation is a page.
JSON_ENDPOINT_PREFIXES = ("/api/", "/healthz", "/readyz")
PAGES_UNDER_JSON_PREFIXES = ("/api/docs/", "/api/redoc/")
# The rest of a JSON endpoint's stack: the pages' without sessions, htmx, session
# authentication, django-otp, allauth, messages and CSP (a JSON answer runs no script).
JSON_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.CorsMiddleware",
    "tenants.middleware.TenantStatusMiddleware",
    "django.middleware.common.CommonMiddleware",
    # DRF's views are exempt from its check (cookie writes are checked in the views): it sets
    # the csrftoken cookie of a cookie sign-in
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.audit.middleware.AuditContextMiddleware",
    "core.api.fallback.ErrorPagesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.web.context.workspace",
            ],
        },
    },
]

# Django's form renderer, with the plain widgets written in Python (core/web/renderers.py)
FORM_RENDERER = "core.web.renderers.QuickRenderer"

WSGI_APPLICATION = "config.wsgi.application"

# --- Database ----------------------------------------------------------------------------------
DATABASE_ENGINE = "tenants.postgresql_backend"
# Persistent connections with health checks: opening a connection per request costs more than
# the whole request (see deploy/bench/).
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=60)
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=3)
# A connection caches the catalog of every schema it touches, for its life (see
# tenants/postgresql_backend and docs/scaling.md): between requests, one that has served this many
# distinct schemas is replaced, which bounds its memory whatever the size of the fleet (0: off).
TENANT_CONNECTION_MAX_SCHEMAS = env.int("TENANT_CONNECTION_MAX_SCHEMAS", default=50)
# Optionally also a bound on the server process's memory, read every N requests from
# pg_backend_memory_contexts (readable by superusers only on PostgreSQL 15; 0: off).
TENANT_CONNECTION_MAX_MB = env.int("TENANT_CONNECTION_MAX_MB", default=0)
TENANT_CONNECTION_MEMORY_CHECK_EVERY = env.int("TENANT_CONNECTION_MEMORY_CHECK_EVERY", default=50)
# PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: the eligibility
# rules' correlated subplans are estimated per row, so the eligible students of a drive (10,000
# students) paid 45 ms of compilation for 7 ms of work on every request. Short OLTP queries never
# gain from it; DATABASE_JIT=true gives the server's own setting back.
DATABASE_JIT = env.bool("DATABASE_JIT", default=False)
# The lists' statements are prepared on each connection from their second run (core/prepared.py):
# parsed and planned once. Off for a pooler that does not keep a server session per connection
# (PgBouncer in transaction mode before 1.21).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)


def database_from_url(url: str) -> dict:
    """A DATABASES entry for `url` with the tenant-aware engine and our connection policy."""
    config = environ.Env.db_url_config(url)
    config["HOST"] = unquote(config["HOST"])  # a percent-encoded unix socket directory
    config["ENGINE"] = DATABASE_ENGINE
    config["CONN_MAX_AGE"] = CONN_MAX_AGE
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {})["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    if not DATABASE_JIT:
        config["OPTIONS"]["options"] = "-c jit=off"
    return config


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)


def redis_cache(location: str, *, tenant_prefixed: bool) -> dict:
    """A django-redis cache that treats a dead Redis as a miss (short timeouts, no exceptions)."""
    cache = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "IGNORE_EXCEPTIONS": True,
        },
    }
    if tenant_prefixed:
        cache["KEY_FUNCTION"] = "django_tenants.cache.make_key"
        cache["REVERSE_KEY_FUNCTION"] = "django_tenants.cache.reverse_key"
    else:
        cache["KEY_PREFIX"] = "platform"
    return cache


# `default` keys carry the current schema; `tenancy` holds host resolution, which is global.
CACHES = {
    "default": redis_cache(REDIS_URL, tenant_prefixed=True),
    "tenancy": redis_cache(REDIS_URL, tenant_prefixed=False),
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "placemate.cache"
DJANGO_REDIS_CLOSE_CONNECTION = False  # read at every request's end: written out (see CORS)
# Longest life of a college data cache entry (core/datacache.py), which writes end sooner; 0: off.
DATA_CACHE_SECONDS = env.int("DATA_CACHE_SECONDS", default=300)

# --- Auth --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "core.accounts.hashers.WebArgon2PasswordHasher",  # OWASP's parameters, see the module
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


# Lockout: this many consecutive failed passwords or codes lock an account for so long.
ACCOUNT_LOCKOUT_FAILURES = env.int("ACCOUNT_LOCKOUT_FAILURES", default=5)
ACCOUNT_LOCKOUT_MINUTES = env.int("ACCOUNT_LOCKOUT_MINUTES", default=15)
# Sign-in throttles (core/accounts/throttling.py), per college (the cache keys carry the
# schema): failures and per-person tokens are limited, not people arriving together. The README
# says why each rate is what it is.
# Attempts at one account's password or code from one address.
AUTH_ACCOUNT_ADDRESS_RATE = env("AUTH_ACCOUNT_ADDRESS_RATE", default="10/min")
# Failed passwords, codes and mailed tokens from one address, across accounts (a spray).
AUTH_ADDRESS_FAILURE_RATE = env("AUTH_ADDRESS_FAILURE_RATE", default="40/10min")
# Mails of one kind (reset, invitation) to one account.
AUTH_MAIL_RATE = env("AUTH_MAIL_RATE", default="3/h")
# Tries at one mailed token (reset or set-password link, invitation, verification).
AUTH_TOKEN_RATE = env("AUTH_TOKEN_RATE", default="10/h")
# Any public auth request from one address: a flood ceiling far above a campus's peak.
AUTH_ADDRESS_RATE = env("AUTH_ADDRESS_RATE", default="1200/min")
# Authenticated auth actions (password change, 2FA setup and disable) per signed-in user.
AUTH_USER_RATE = env("AUTH_USER_RATE", default="10/min")
# Two-factor: the login's otp_token lifetime, recovery codes, and the key that encrypts TOTP
# secrets at rest (a Fernet key; derived from SECRET_KEY when empty).
OTP_TOKEN_LIFETIME_SECONDS = env.int("OTP_TOKEN_LIFETIME_SECONDS", default=300)
OTP_RECOVERY_CODES = 10
OTP_ENCRYPTION_KEY = env("OTP_ENCRYPTION_KEY", default="")
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=7)
# Links in mails and invitations (core/links.py): the workspace's scheme and port when no
# request tells them (tasks); the port is empty behind a proxy on 443.
WORKSPACE_URL_SCHEME = env("WORKSPACE_URL_SCHEME", default="https")
WORKSPACE_URL_PORT = env("WORKSPACE_URL_PORT", default="")
# Pages of the college's front end that e-mailed links open (on the college's own host).
FRONTEND_PATHS = {
    "verify_email": "/verify-email/",
    "password_reset": "/reset-password/",
    "invitation": "/accept-invitation/",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_TOKEN_CLASSES": ("core.accounts.tokens.TenantAccessToken",),
}
REST_AUTH = {
    "USE_JWT": True,
    "SESSION_LOGIN": False,
    "TOKEN_MODEL": None,
    "JWT_AUTH_COOKIE": "access_token",
    "JWT_AUTH_REFRESH_COOKIE": "refresh_token",
    # "/": workspace pages renew an expired access token from it (core/web/auth.py)
    "JWT_AUTH_REFRESH_COOKIE_PATH": "/",
    "JWT_AUTH_HTTPONLY": True,
    "JWT_AUTH_SAMESITE": "Lax",
    "JWT_AUTH_SECURE": env.bool("JWT_AUTH_SECURE", default=True),
    "JWT_AUTH_COOKIE_USE_CSRF": True,
    "OLD_PASSWORD_FIELD_ENABLED": True,
    # the API has no session to keep signed in after a change (its tokens are renewed instead)
    "LOGOUT_ON_PASSWORD_CHANGE": True,
    "PASSWORD_RESET_SERIALIZER": "core.accounts.serializers.PasswordResetSerializer",
    "USER_DETAILS_SERIALIZER": "core.accounts.serializers.UserSerializer",
}

# django-allauth underneath: e-mail addresses, verification and reset mails.
ACCOUNT_ADAPTER = "core.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False  # keys stored per schema: useless on another college
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = False  # our throttles apply
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # our subjects name the college (templates/account/email)


# --- Mail --------------------------------------------------------------------------------------
# EMAIL_URL accepts django-environ's schemes: smtp://, smtp+tls://, consolemail://, filemail:///path
def email_from_url(url: str) -> dict:
    config = environ.Env.email_url_config(url)
    if url.startswith("filemail:"):
        # django-environ drops the leading "/" of filemail:///abs/path; keep the path as written.
        parsed = urlparse(url)
        config["EMAIL_FILE_PATH"] = parsed.netloc + parsed.path
    return config


vars().update(email_from_url(env("EMAIL_URL", default="consolemail://")))
# With EMAIL_OUTBOX (production's default), mail is written to the schema's outbox in the
# sender's transaction and delivered by Celery through OUTBOX_EMAIL_BACKEND (core.outbox).
OUTBOX_EMAIL_BACKEND = EMAIL_BACKEND  # noqa: F821 (set from EMAIL_URL just above)
EMAIL_OUTBOX = env.bool("EMAIL_OUTBOX", default=False)
if EMAIL_OUTBOX:
    EMAIL_BACKEND = "core.outbox.backends.OutboxEmailBackend"
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"Placemate <no-reply@{PLATFORM_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Dates on a college's pages are in its time zone; this one until the college has its own.
WORKSPACE_TIME_ZONE = env("WORKSPACE_TIME_ZONE", default="Asia/Kolkata")

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
EXPORTS_ROOT = env("EXPORTS_ROOT", default=str(BASE_DIR / ".data" / "exports"))
# College files (résumés, offer letters): each college's under its schema name, streamed only by
# authorised endpoints (never served publicly). FILE_STORAGE=local keeps them in
# MEDIA_ROOT/<schema>/; FILE_STORAGE=s3 in the private bucket AWS_STORAGE_BUCKET_NAME under
# [AWS_LOCATION/]<schema>/ (credentials from the usual AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or
# the instance role; AWS_S3_REGION_NAME, AWS_S3_ENDPOINT_URL for S3-compatible stores).
FILE_STORAGE = env("FILE_STORAGE", default="local")
if FILE_STORAGE == "s3":
    DEFAULT_FILE_STORAGE_CONFIG = {
        "BACKEND": "tenant_apps.kit.storage.TenantS3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "location": env("AWS_LOCATION", default=""),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
        },
    }
else:
    DEFAULT_FILE_STORAGE_CONFIG = {
        "BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"
    }
RESUME_MAX_BYTES = env.int("RESUME_MAX_BYTES", default=5 * 1024 * 1024)
# Student imports (CSV/XLSX): the largest file accepted, and from how many rows it runs as a job.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=2000)
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_CONFIG,
    # Cancelled colleges' data exports: outside any college schema, kept for the retention.
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": EXPORTS_ROOT},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "media/"

# --- HTTP and security -------------------------------------------------------------------------
# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_CREDENTIALS = True
# Written out with django-cors-headers' defaults: a setting a library reads with getattr's
# default, when absent, is an AttributeError raised on every request (tests/core/test_settings.py).
CORS_ALLOWED_ORIGIN_REGEXES: list[str] = []
CORS_ALLOW_ALL_ORIGINS = False
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "core.api.views.csrf_failure"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# django-csp: scripts only from our origin (Swagger UI's initialiser is served as a file).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CONTENT_SECURITY_POLICY_REPORT_ONLY = None  # read on every page: written out (see CORS above)

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",  # DRF's, with a bound on nesting
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.accounts.authentication.TenantJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.EnvelopeAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        # DRF's view throttles: per address for anonymous callers, per user when signed in
        "auth": AUTH_ADDRESS_RATE,
        "auth_user": AUTH_USER_RATE,
        "signup": env("SIGNUP_THROTTLE_RATE", default="10/hour"),
        "subdomain_check": "60/min",
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Placemate API",
    "DESCRIPTION": (
        "Placement platform for colleges. Every response uses the envelope of docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "core.accounts.models.Role",
        "InvitableRoleEnum": "core.accounts.models.INVITABLE_ROLE_CHOICES",
        "DriveStatusEnum": "tenant_apps.drives.models.DriveStatus",
        "ApplicationStatusEnum": "tenant_apps.applications.models.ApplicationStatus",
        "OfferStatusEnum": "tenant_apps.applications.models.OfferStatus",
        "InterviewStatusEnum": "tenant_apps.interviews.models.InterviewStatus",
        "AssessmentStatusEnum": "tenant_apps.assessments.models.AssessmentStatus",
        "AttemptStatusEnum": "tenant_apps.assessments.models.AttemptStatus",
        "QuestionKindEnum": "tenant_apps.assessments.models.QuestionKind",
        "RoundKindEnum": "tenant_apps.drives.models.RoundKind",
        "DriveListKindEnum": "tenant_apps.drives.models.ListKind",
        "VerificationStatusEnum": "tenant_apps.students.models.VerificationStatus",
        "TwelfthBoardEnum": "tenant_apps.students.models.TwelfthBoard",
        "AdvanceStatusEnum": "tenant_apps.assessments.serializers.ADVANCE_CHOICES",
    },
}

# --- Billing (Stripe) -------------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Tests point this at a fake Stripe server; production leaves Stripe's own.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
STRIPE_PRICES = {
    "starter": env("STRIPE_PRICE_STARTER", default="price_starter_monthly"),
    "growth": env("STRIPE_PRICE_GROWTH", default="price_growth_monthly"),
    "enterprise": env("STRIPE_PRICE_ENTERPRISE", default="price_enterprise_monthly"),
}
# After a failed payment the college stays usable (past_due) this long, then turns read-only.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=7)

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_TIMEOUT = 2

OUTBOX_RELAY_INTERVAL = env.int("OUTBOX_RELAY_INTERVAL", default=60)  # seconds
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "core.outbox.tasks.relay_pending", "schedule": OUTBOX_RELAY_INTERVAL},
    "expire-trials": {"task": "tenants.tasks.expire_trials", "schedule": 15 * 60},
    "expire-attempts": {"task": "tenant_apps.assessments.tasks.expire_overdue", "schedule": 60},
    "refill-schema-pool": {"task": "tenants.tasks.refill_schema_pool", "schedule": 60},
    "purge-cancelled-colleges": {"task": "tenants.tasks.purge_cancelled", "schedule": 60 * 60},
    "billing-grace-and-endings": {"task": "shared_apps.billing.tasks.enforce", "schedule": 60 * 60},
    "usage-snapshots": {"task": "shared_apps.console.tasks.refresh_all_usage", "schedule": 60 * 60},
}

# --- Audit -------------------------------------------------------------------------------------
# We resolve actor and IP ourselves (core.audit.middleware): after DRF authentication, and
# from X-Forwarded-For only behind NUM_PROXIES trusted proxies.
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Logging -----------------------------------------------------------------------------------
# JSON lines (LOG_FORMAT=console for a terminal) with the request id, schema and user of the
# request; one access-log line per request; security events on a handler of their own
# (SECURITY_LOG_FILE, else stderr). See core/observability.py.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = logging_config(
    level=LOG_LEVEL, fmt=LOG_FORMAT, security_file=env("SECURITY_LOG_FILE", default="")
)
configure_structlog()
# django-structlog: the access line (request_finished), and the request id in Celery tasks.
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = (
    True  # made sane first (RequestObservabilityMiddleware)
)
DJANGO_STRUCTLOG_USER_ID_FIELD = None  # the user is added without a query (core.observability)
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # `client_ip` honours the trusted proxies instead
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG
DJANGO_STRUCTLOG_STATUS_4XX_LOG_LEVEL = logging.INFO
DJANGO_STRUCTLOG_STATUS_5XX_LOG_LEVEL = logging.WARNING  # errors reach Sentry once, not twice
# read on every request: written out with django-structlog's defaults (see CORS above)
DJANGO_STRUCTLOG_STATUS_DEFAULT_LOG_LEVEL = logging.INFO
DJANGO_STRUCTLOG_STATUS_2XX_LOG_LEVEL = logging.INFO
DJANGO_STRUCTLOG_TRUST_UPSTREAM_CORRELATION_ID = False

# --- Errors (Sentry) ---------------------------------------------------------------------------
# Only with SENTRY_DSN; events tagged with the college schema and user role, scrubbed of PII.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    sentry_init(
        dsn=SENTRY_DSN,
        release=env("SENTRY_RELEASE", default=None),
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
