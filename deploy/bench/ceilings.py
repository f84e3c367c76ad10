"""What the libraries cost on their own, beside bare Django in the same run: the ceilings of
the project's shares. No middleware, no tenancy, no project code; each view adds one piece:

    /healthz     bare Django's view (the same `JsonResponse`)
    /redis       one django-redis `get_many` of 5 keys first (a warm read's round trip)
    /drf         a DRF `APIView` and its `Response` (no authentication, JSON renderer)
    /drf-read    a DRF view that validates a simplejwt access token and reads 5 keys from Redis:
                 the least an authenticated, cached answer can cost with these libraries
    /drf-sql     a DRF view that validates the token and sends three `SELECT 1` to PostgreSQL
                 (a cold list's statements: the user, the college's settings, the page): the
                 least an authenticated answer read from the database can cost

    DJANGO_SETTINGS_MODULE=deploy.bench.ceilings gunicorn 'django.core.wsgi:get_wsgi_application()'

(speed.sh serves it under the same gunicorn options as the project; the views are in
ceilings_urls.py, which DRF's settings must not be read before)."""

import os
from datetime import timedelta

import environ

DEBUG = False
SECRET_KEY = "ceilings-benchmark-floor-serves-no-data-not-a-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"]
MIDDLEWARE: list[str] = []
# the benchmark's database (only /drf-sql reads it) through Django's own backend, persistent
DATABASES = {
    "default": {
        **environ.Env.db_url_config(
            os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        ),
        "ENGINE": "django.db.backends.postgresql",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
ROOT_URLCONF = "deploy.bench.ceilings_urls"
USE_TZ = True
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12"),
        "KEY_PREFIX": "ceilings",
    }
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
SIMPLE_JWT = {"ACCESS_TOKEN_LIFETIME": timedelta(hours=2)}
KEYS = [f"ceiling-{n}" for n in range(5)]

if __name__ == "__main__":  # an access token the /drf-read view accepts
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "deploy.bench.ceilings"
    django.setup()
    from deploy.bench.ceilings_urls import token

    print(token())
