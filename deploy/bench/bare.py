"""Bare Django, the floor every benchmark is compared with: no installed app, no middleware,
one view returning a `JsonResponse`. Settings and URL set in one module:

    DJANGO_SETTINGS_MODULE=deploy.bench.bare gunicorn 'django.core.wsgi:get_wsgi_application()'

(bench.sh starts it under the same gunicorn options as the project, in the same run)."""

from django.http import JsonResponse
from django.urls import path

DEBUG = False
SECRET_KEY = "bare-django-benchmark-floor-not-a-secret"  # noqa: S105 (serves no data)
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
ROOT_URLCONF = __name__
USE_TZ = True


def healthz(request):
    return JsonResponse({"data": {"status": "ok"}})


urlpatterns = [path("healthz", healthz)]
