"""Development settings for `make run`: embedded PostgreSQL unless DATABASE_URL is set, and the
local-memory cache when Redis is not reachable."""

import sys
from urllib.parse import urlparse

from config.devdb import embedded_server_url, port_open

from .base import *  # noqa: F403
from .base import (
    BASE_DIR,
    LOG_LEVEL,
    REDIS_URL,
    REST_AUTH,
    STORAGES,
    database_from_url,
    env,
    logging_config,
)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-never-used-in-production")

DATABASES = {
    "default": database_from_url(
        env("DATABASE_URL", default=None) or embedded_server_url(BASE_DIR / ".data" / "postgres")
    )
}
# The development server answers each request on a new thread, and a kept connection belongs to
# its thread: with the base's 60 seconds, a few dozen page loads would hold every connection the
# server allows (and then every request answers 503). Here a request closes its connection; it
# costs a millisecond or two on a local server. (gunicorn's sync workers keep theirs: production.)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)

_redis = urlparse(REDIS_URL)
if not port_open(_redis.hostname or "127.0.0.1", _redis.port or 6379):
    print(
        f"Notice: Redis is not reachable at {REDIS_URL}; using the local-memory cache.",
        file=sys.stderr,
    )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "LOCATION": "default",
        },
        "tenancy": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }
    CELERY_TASK_ALWAYS_EAGER = True

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# No collectstatic outside production: WhiteNoise serves from the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Plain HTTP in development: cookies cannot be Secure.
REST_AUTH = {**REST_AUTH, "JWT_AUTH_SECURE": env.bool("JWT_AUTH_SECURE", default=False)}

# Mailed links (core/links.py) point at the development server: plain HTTP, the port it serves.
WORKSPACE_URL_SCHEME = env("WORKSPACE_URL_SCHEME", default="http")
WORKSPACE_URL_PORT = env("WORKSPACE_URL_PORT", default=env("PORT", default="8000"))

# Logs for a terminal (structlog's console renderer) unless LOG_FORMAT=json.
LOG_FORMAT = env("LOG_FORMAT", default="console")
LOGGING = logging_config(
    level=LOG_LEVEL, fmt=LOG_FORMAT, security_file=env("SECURITY_LOG_FILE", default="")
)
