"""Plain-Django views of the API kit: error handlers outside DRF, CSRF failure, health."""

import logging
import sys

from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django_redis import get_redis_connection

from core.api.codes import ErrorCode
from core.api.envelope import error_response, success_body
from core.api.exceptions import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, database_unavailable_body

logger = logging.getLogger("placemate.health")


def bad_request(request, exception=None):
    return error_response(400, ErrorCode.VALIDATION_ERROR, "Bad request.", type_="BadRequest")


def permission_denied(request, exception=None):
    return error_response(
        403, ErrorCode.PERMISSION_DENIED, "Permission denied.", type_="PermissionDenied"
    )


def page_not_found(request, exception=None):
    return error_response(404, ErrorCode.NOT_FOUND, "Not found.", type_="NotFound")


def server_error(request):
    # Django calls this inside its `except` block: the exception is still at hand.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        response = JsonResponse(database_unavailable_body(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return error_response(
        500, ErrorCode.SERVER_ERROR, "Something went wrong on our side.", type_="ServerError"
    )


def csrf_failure(request, reason=""):
    return error_response(
        403,
        ErrorCode.PERMISSION_DENIED,
        "CSRF check failed: send the X-CSRFToken header.",
        type_="CSRFFailed",
    )


def healthz(request):
    """The process is alive. No I/O at all, so it is also the cost floor of a request."""
    return JsonResponse(success_body({"status": "ok"}))


def _database_ready() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis_ready() -> str:
    backend = caches["default"]
    if not hasattr(backend, "client"):  # local-memory fallback in development
        return "not configured"
    get_redis_connection("default").ping()
    return "ok"


def readyz(request):
    """Database and Redis reachable; 503 with the failing part named otherwise."""
    checks = {}
    for name, check in (("database", _database_ready), ("redis", _redis_ready)):
        try:
            checks[name] = check() or "ok"
        except Exception as exc:  # any failure of a dependency means "not ready"
            logger.warning("readyz: %s unavailable: %s", name, type(exc).__name__)
            checks[name] = "unavailable"
    failing = [name for name, state in checks.items() if state == "unavailable"]
    if failing:
        return error_response(
            503,
            ErrorCode.SERVICE_UNAVAILABLE,
            f"Not ready: {', '.join(failing)} unavailable.",
            type_="ServiceUnavailable",
            details=checks,
        )
    return JsonResponse(success_body(checks))
