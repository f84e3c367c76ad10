"""Settings for the test suite: real PostgreSQL and a Redis database of its own."""

from config.devdb import local_or_embedded_url

from .base import *  # noqa: F403
from .base import BASE_DIR, STORAGES, database_from_url, env, redis_cache

DEBUG = False
SECRET_KEY = "test-only-secret-key-with-enough-length-and-entropy-0123456789"  # noqa: S105

PLATFORM_DOMAIN = "localhost"
ALLOWED_HOSTS = ["localhost", ".localhost"]

DATABASES = {
    "default": database_from_url(
        env("DATABASE_URL", default=None)
        or local_or_embedded_url(BASE_DIR / ".data" / "postgres", name="postgres")
    )
}

TEST_REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {
    "default": redis_cache(TEST_REDIS_URL, tenant_prefixed=True),
    "tenancy": redis_cache(TEST_REDIS_URL, tenant_prefixed=False),
}

TENANT_SCHEMA_POOL_SIZE = 0  # sign-ups clone; the pool's tests fill one
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = str(BASE_DIR / ".data" / "test-media")

# No collectstatic outside production: WhiteNoise serves from the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["exports"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(BASE_DIR / ".data" / "test-exports")},
}
STRIPE_SECRET_KEY = "sk_test_placemate"  # noqa: S105 (the fake Stripe of the tests)
STRIPE_WEBHOOK_SECRET = "whsec_test_placemate"  # noqa: S105
