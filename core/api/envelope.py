"""The response envelope of docs/api.md, shared by the renderer, the exception handler and the
plain-Django views (middleware, 404/500 handlers, health)."""

from typing import Any

from django.http import JsonResponse
from django.utils import timezone


def timestamp() -> str:
    return timezone.now().isoformat().replace("+00:00", "Z")


def success_body(data: Any, *, message: str = "OK", pagination: dict | None = None) -> dict:
    body = {"success": True, "message": message, "timestamp": timestamp(), "data": data}
    if pagination is not None:
        body["pagination"] = pagination
    return body


def error_body(code: str, message: str, *, type_: str, details: Any = None) -> dict:
    return {
        "success": False,
        "timestamp": timestamp(),
        "error": {"code": code, "message": message, "type": type_, "details": details or {}},
    }


def error_response(
    status: int, code: str, message: str, *, type_: str = "Error", details: Any = None
) -> JsonResponse:
    return JsonResponse(error_body(code, message, type_=type_, details=details), status=status)
