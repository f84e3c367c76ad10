"""A college URL set with views that fail, for the error-reporting and outage tests."""

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls_tenant import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls_tenant import urlpatterns as college_urlpatterns

LEAKS = {
    "email": "victim@alpha.example.edu",
    "password": "hunter2-very-secret",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
}


class FailingApi(APIView):
    def get(self, request):
        password = LEAKS["password"]  # a local variable Sentry would capture  # noqa: F841
        raise RuntimeError(f"failed for {LEAKS['email']} with token {LEAKS['jwt']}")


def failing_view(request):
    password = LEAKS["password"]  # noqa: F841
    raise RuntimeError(f"plain view failed for {LEAKS['email']}")


def querying_view(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


class SlowApi(APIView):
    """A query cut short by PostgreSQL (statement timeout): an OperationalError as well."""

    permission_classes: list = []

    def get(self, request):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = '20ms'")
            cursor.execute("SELECT pg_sleep(1)")
        return Response({"ok": True})


urlpatterns = [
    path("failing/slow/", SlowApi.as_view()),
    path("failing/api/", FailingApi.as_view()),
    path("failing/plain/", failing_view),
    path("failing/query/", querying_view),
    *college_urlpatterns,
]
