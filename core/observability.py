"""Request ids, structured logs and error reporting.

- `RequestObservabilityMiddleware` (right after host resolution) accepts a sane `X-Request-ID`
  or makes one, returns it on the response, makes the request's id, college schema and user
  known to every log line written while it runs, and writes one access-log record per request
  (`placemate.access`: method, path, status, duration, ...).
- `JsonFormatter` writes one JSON object per line with that context; `LOGGING` in the settings
  routes the app, access and security (`placemate.security`) logs through it.
- `sentry_init()` is called by the settings when `SENTRY_DSN` is set. Events are tagged with the
  college's schema, the user's role and the request id, and scrubbed (`scrub_event`): no e-mail
  addresses, tokens, cookies, passwords or Authorization headers leave the process.

Nothing here imports models at import time: the settings import this module.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils.functional import SimpleLazyObject, empty

from core.http import client_ip

REQUEST_ID_HEADER = "X-Request-ID"
# Accepted from a client or a proxy if it looks like an id, else replaced: no log injection.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{8,128}$")
# Probes are frequent and uninteresting: logged at DEBUG unless they fail.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})

access_logger = logging.getLogger("placemate.access")


# --- The current request -----------------------------------------------------------------------
@dataclass
class RequestContext:
    request_id: str
    request: Any  # django.http.HttpRequest

    @property
    def schema(self) -> str | None:
        tenant = getattr(self.request, "tenant", None)
        return getattr(tenant, "schema_name", None)

    @property
    def user(self):
        return resolved_user(self.request)


_current: ContextVar[RequestContext | None] = ContextVar("placemate_request", default=None)


def current_request_context() -> RequestContext | None:
    return _current.get()


def resolved_user(request):
    """The request's authenticated user if something already resolved it (DRF's authentication
    or Django's session middleware): never triggers a query of its own."""
    user = getattr(request, "__dict__", {}).get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped  # read only: evaluating it would query
        if user is empty:
            return None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def request_id_for(request) -> str:
    candidate = request.META.get("HTTP_X_REQUEST_ID", "")
    if SANE_REQUEST_ID.match(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestObservabilityMiddleware:
    """Request id in and out, request context for the logs, one access-log record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        context = RequestContext(request_id=request_id_for(request), request=request)
        request.request_id = context.request_id
        token = _current.set(context)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = context.request_id
            self.log(context, response.status_code, time.perf_counter() - started)
            return response
        finally:
            _current.reset(token)

    @staticmethod
    def log(context: RequestContext, status: int, duration: float) -> None:
        request = context.request
        quiet = request.path in QUIET_PATHS and status < 400
        level = logging.DEBUG if quiet else (logging.WARNING if status >= 500 else logging.INFO)
        if not access_logger.isEnabledFor(level):
            return
        user = context.user
        access_logger.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            request.path,
            status,
            duration * 1000,
            extra={
                "request_id": context.request_id,
                "schema": context.schema,
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round(duration * 1000, 2),
                "client_ip": client_ip(request),
                "user_id": user.pk if user is not None else None,
                "role": getattr(user, "role", None),
            },
        )


# --- JSON logs ---------------------------------------------------------------------------------
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
_PAIRS = re.compile(r"(\w+)=(\S+)")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's context
    (request_id, schema, user_id) and whatever the call passed in `extra`.

    `fields` are added to every line (e.g. {"log": "security"}, so that a log pipeline can
    route the stream); with `pairs`, `key=value` words of the message become fields too."""

    def __init__(self, *args, fields: dict | None = None, pairs: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = fields or {}
        self.pairs = pairs

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            **self.fields,
        }
        context = _current.get()
        if context is not None:
            user = context.user
            payload["request_id"] = context.request_id
            payload["schema"] = context.schema
            payload["user_id"] = user.pk if user is not None else None
        if self.pairs:
            for key, value in _PAIRS.findall(message):
                payload.setdefault(key, value)
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(payload, default=str)


def logging_config(*, level: str, fmt: str, security_file: str = "") -> dict:
    """The LOGGING setting. `fmt` is "json" (one object per line) or "plain" (for a terminal).
    The app and access logs go to stderr, the security log to its own handler (stderr, or
    `security_file` if given) with `"log": "security"` on every line."""

    def formatter(log: str, **options) -> dict:
        if fmt == "plain":
            return {"format": f"%(asctime)s %(levelname)s [{log}] %(name)s %(message)s"}
        return {"()": "core.observability.JsonFormatter", "fields": {"log": log}, **options}

    if security_file:
        security_handler = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": security_file,
            "formatter": "security",
        }
    else:
        security_handler = {"class": "logging.StreamHandler", "formatter": "security"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "app": formatter("app"),
            "access": formatter("access"),
            "security": formatter("security", pairs=True),
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "app"},
            "access": {"class": "logging.StreamHandler", "formatter": "access"},
            "security": security_handler,
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # our access log replaces Django's and gunicorn's per-request lines
            "django.request": {"level": "ERROR"},
            "placemate.cache": {"level": "WARNING"},
            "placemate.access": {"handlers": ["access"], "level": level, "propagate": False},
            "placemate.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        },
    }


# --- Sentry ------------------------------------------------------------------------------------
FILTERED = "[Filtered]"
# What send_default_pii=False leaves out of headers and query strings (client IPs, proxies).
PII_HEADER_TERMS = ["forwarded", "-ip", "remote-", "via", "-user"]
# Keys whose values never leave the process, wherever they appear in an event.
_SENSITIVE_KEY = re.compile(
    r"pass(word|wd)?|secret|token|auth|cookie|csrf|session|otp|signature|e-?mail|dsn|api_?key"
    r"|recovery|^key$|^code$|^uid$|^refresh$|^access$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]+")
_QUERY_SECRET = re.compile(
    r"(?i)\b(token|key|code|password|secret|signature|uid|email|otp_token|refresh|access)"
    r"=[^&\s\"']+"
)


def _scrub_string(value: str) -> str:
    value = _JWT.sub(FILTERED, value)
    value = _BEARER.sub(FILTERED, value)
    value = _QUERY_SECRET.sub(lambda match: f"{match.group(1)}={FILTERED}", value)
    return _EMAIL.sub(FILTERED, value)


def _scrub(value):
    if isinstance(value, dict):
        return {
            key: FILTERED
            if isinstance(key, str) and _SENSITIVE_KEY.search(key) and value[key] not in (None, "")
            else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    if isinstance(value, str):
        return _scrub_string(value)
    return value


def _tag(event: dict) -> None:
    context = _current.get()
    tags = event.setdefault("tags", {})
    schema = context.schema if context is not None else None
    tags["college"] = schema or getattr(connection, "schema_name", None) or "-"
    if context is None:
        return
    tags["request_id"] = context.request_id
    user = context.user
    if user is not None:
        tags["role"] = user.role
        event["user"] = {"id": str(user.pk)}


# Parts of an event written by the SDK itself (package names such as django-otp would match).
_UNSCRUBBED = frozenset(
    {"tags", "modules", "sdk", "event_id", "timestamp", "platform", "release", "environment"}
)


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """`before_send`: tag the event with the request's college, role and id, then scrub it."""
    event.pop("user", None)  # only the id set by _tag
    scrubbed = {key: value if key in _UNSCRUBBED else _scrub(value) for key, value in event.items()}
    _tag(scrubbed)
    return scrubbed


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return _scrub(crumb)


def sentry_init(
    *,
    dsn: str,
    release: str | None = None,
    environment: str | None = None,
    traces_sample_rate: float = 0.0,
    **options,
) -> None:
    # imported only when a DSN is configured: no start-up cost for the runs without Sentry
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        release=release,
        environment=environment,
        # sentry-sdk 2.75 replaces `send_default_pii=False` by `data_collection`: nothing about
        # the user but the id we set, no cookies, bodies, SQL parameters or queue payloads;
        # headers and query strings minus the SDK's sensitive terms. scrub_event is the backstop.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "denylist", "terms": PII_HEADER_TERMS}},
            "http_bodies": [],
            "url_query_params": {"mode": "denylist", "terms": PII_HEADER_TERMS},
            "database_query_data": False,
            "queues": False,
            "graphql": {"document": False, "variables": False},
            "gen_ai": {"inputs": False, "outputs": False},
        },
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
        **options,
    )
