"""One exception handler: every error a view can raise becomes the envelope of docs/api.md,
with a code of the catalogue (core/api/codes.py)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.api.codes import ErrorCode
from core.api.envelope import error_body
from core.api.errors import Conflict, FileTooLarge, PlacemateError

logger = logging.getLogger("placemate.errors")

# DRF's exception class → its code of the catalogue. Looked up along the class's MRO, so a subclass
# (simplejwt's InvalidToken is an AuthenticationFailed) may be mapped more precisely.
DRF_CODES: dict[type, ErrorCode] = {
    exceptions.ValidationError: ErrorCode.VALIDATION_ERROR,
    exceptions.ParseError: ErrorCode.VALIDATION_ERROR,
    exceptions.NotAuthenticated: ErrorCode.NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: ErrorCode.AUTHENTICATION_FAILED,
    exceptions.PermissionDenied: ErrorCode.PERMISSION_DENIED,
    exceptions.NotFound: ErrorCode.NOT_FOUND,
    exceptions.MethodNotAllowed: ErrorCode.METHOD_NOT_ALLOWED,
    exceptions.NotAcceptable: ErrorCode.NOT_ACCEPTABLE,
    exceptions.UnsupportedMediaType: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    exceptions.Throttled: ErrorCode.THROTTLED,
}
AUTHENTICATION_CODES = {
    ErrorCode.NOT_AUTHENTICATED,
    ErrorCode.AUTHENTICATION_FAILED,
    ErrorCode.TOKEN_INVALID,
}

# The database is down, restarting or unreachable (or dropped our connection): answer 503 at
# once; CONN_HEALTH_CHECKS replaces the broken connection on the next request.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def database_unavailable_body() -> dict:
    return error_body(
        ErrorCode.SERVICE_UNAVAILABLE,
        "The database is unavailable; retry shortly.",
        type_="ServiceUnavailable",
        details={"retry_after": RETRY_AFTER_SECONDS},
    )


def register_drf_code(exc_class: type, code: ErrorCode) -> None:
    """Map another APIException subclass (from a library or an app) to a code of the catalogue."""
    DRF_CODES[exc_class] = code


def _code_for(exc: exceptions.APIException) -> ErrorCode:
    for klass in type(exc).__mro__:
        if klass in DRF_CODES:
            return DRF_CODES[klass]
    code = getattr(exc, "default_code", None)
    if code in ErrorCode.__members__.values():
        return ErrorCode(code)
    return ErrorCode.for_status(exc.status_code)  # a library's own code is none of ours


def _details(detail) -> dict:
    if isinstance(detail, dict):
        return detail
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return {}


def _message(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "Some fields are invalid."
    if isinstance(exc, exceptions.ParseError):
        return f"Malformed request body: {exc.detail}"
    detail = exc.detail
    if isinstance(detail, dict) and "detail" in detail:
        detail = detail["detail"]
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, IntegrityError):
        # A uniqueness race lost to a concurrent request: the row exists, say so.
        logger.info("Integrity error mapped to 409: %s", exc)
        exc = Conflict("This conflicts with an existing record.")
    elif isinstance(exc, RequestDataTooBig):
        exc = FileTooLarge("The request body is too large.")
    elif isinstance(exc, SuspiciousOperation):
        # e.g. TooManyFieldsSent while DRF parses the body: the request is at fault
        exc = exceptions.ValidationError({"non_field_errors": [str(exc) or "Bad request."]})
    elif isinstance(exc, DataError):
        # A value the database cannot hold (a date's offset, a number's range): the input's fault
        logger.info("Data error mapped to 400: %s", exc)
        exc = exceptions.ValidationError({"non_field_errors": ["A value is out of range."]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )

    headers = {}
    if isinstance(exc, DATABASE_UNAVAILABLE):
        request = context.get("request")
        logger.warning(
            "Database unavailable on %s: %s", getattr(request, "path", "?"), type(exc).__name__
        )
        status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        body = database_unavailable_body()
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    elif isinstance(exc, PlacemateError):
        status_code = exc.status_code
        body = error_body(exc.code, exc.message, type_=type(exc).__name__, details=exc.details)
        headers.update(getattr(exc, "headers", {}))  # e.g. a throttle's Retry-After
    elif isinstance(exc, exceptions.APIException):
        code = _code_for(exc)
        # DRF turns 401 into 403 when no authenticator names a WWW-Authenticate scheme;
        # the contract says 401 for every authentication failure.
        status_code = 401 if code in AUTHENTICATION_CODES else exc.status_code
        details = _details(exc.detail)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            retry_after = int(exc.wait + 0.999)
            details = {"retry_after": retry_after}
            headers["Retry-After"] = str(retry_after)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        body = error_body(code, _message(exc), type_=type(exc).__name__, details=details)
    else:
        # Unexpected: log it with its trace for us, answer without one.
        request = context.get("request")
        logger.exception("Unhandled error on %s", getattr(request, "path", "?"))
        status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
        body = error_body(
            ErrorCode.SERVER_ERROR, "Something went wrong on our side.", type_="ServerError"
        )

    set_rollback()
    response = Response(body, status=status_code, headers=headers)
    response.enveloped = True
    return response
