"""The views of the ceilings benchmark (deploy/bench/ceilings.py)."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken


def healthz(request):
    return JsonResponse({"data": {"status": "ok"}})


def redis(request):
    cache.get_many(settings.KEYS)
    return JsonResponse({"data": {"status": "ok"}})


class Plain(APIView):
    def get(self, request):
        return Response({"data": {"status": "ok"}})


class Read(APIView):
    def get(self, request):
        AccessToken(request.headers["Authorization"].removeprefix("Bearer "))
        return Response({"data": cache.get_many(settings.KEYS) or {"status": "ok"}})


class Sql(APIView):
    def get(self, request):
        AccessToken(request.headers["Authorization"].removeprefix("Bearer "))
        with connection.cursor() as cursor:
            for _ in range(3):
                cursor.execute("SELECT 1")
                cursor.fetchall()
        return Response({"data": {"status": "ok"}})


def token() -> str:
    """An access token `/drf-read` accepts."""
    access = AccessToken()
    access["user_id"] = 1
    return str(access)


urlpatterns = [
    path("healthz", healthz),
    path("redis", redis),
    path("drf", Plain.as_view()),
    path("drf-read", Read.as_view()),
    path("drf-sql", Sql.as_view()),
]
