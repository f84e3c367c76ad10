"""Request ids, structured logs and error reporting.

- `RequestObservabilityMiddleware` (right after host resolution) is django-structlog's request
  middleware: it accepts a sane `X-Request-ID` or makes one, returns it on the response, binds
  it for every log line written while the request runs (and for the Celery tasks it queues:
  `DJANGO_STRUCTLOG_CELERY_ENABLED`), and writes one access-log line per request
  (`request_finished`: method, path, status, duration, ...).
- Logs are structlog's (django-structlog): every line, ours and the libraries' (stdlib logging),
  carries the request id, the college's schema and the user; `log_formatter` renders them as
  JSON (one object per line, production) or for a terminal (`LOG_FORMAT=console`). `LOGGING` in
  the settings routes the app, access and security (`placemate.security`) logs.
- `sentry_init()` is called by the settings when `SENTRY_DSN` is set. Events are tagged with the
  college's schema, the user's role and the request id, and scrubbed (`scrub_event`): no e-mail
  addresses, tokens, cookies, passwords or Authorization headers leave the process.

Nothing here imports models at import time: the settings import this module.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import structlog
from django.db import connection
from django.http import StreamingHttpResponse
from django.utils.functional import SimpleLazyObject, empty
from django_structlog import signals as structlog_signals
from django_structlog.app_settings import app_settings as structlog_settings
from django_structlog.celery import signals as structlog_celery_signals
from django_structlog.middlewares import RequestMiddleware

from core.http import client_ip

REQUEST_ID_HEADER = "X-Request-ID"
# Accepted from a client or a proxy if it looks like an id, else replaced: no log injection.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{8,128}$")
# Probes are frequent and uninteresting: their access lines only when DEBUG is on (or failing).
QUIET_PATHS = frozenset({"/healthz", "/readyz"})
ACCESS_LOGGER = "django_structlog.middlewares.request"


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


class RequestObservabilityMiddleware(RequestMiddleware):
    """django-structlog's middleware, given a sane request id (which it then trusts), the
    request's context for the log lines, and the id on the response.

    Every request pays for this middleware, so it builds a log line only when one will be
    written: django-structlog formats the request, reads every header and sends its signals
    before the level filter drops the line (measured: 100 µs of a 270 µs `/healthz`). Here the
    request id (and a correlation id) are bound as django-structlog binds them, and its
    `request_started` / `request_finished` steps run only when the access logger is enabled
    for their level and the line is not a quiet probe's (which `drop_quiet_probes` would drop).
    Failures (`request_failed`) and streaming responses always go through django-structlog."""

    def __call__(self, request):
        request.request_id = request_id_for(request)
        request.META["HTTP_X_REQUEST_ID"] = request.request_id
        request.observability_started = time.perf_counter()
        token = _current.set(RequestContext(request_id=request.request_id, request=request))
        try:
            response = super().__call__(request)
            response[REQUEST_ID_HEADER] = request.request_id
            return response
        finally:
            _current.reset(token)

    def prepare(self, request) -> None:
        access = logging.getLogger(ACCESS_LOGGER)
        if access.isEnabledFor(structlog_settings.STATUS_START_LOG_LEVEL):
            super().prepare(request)
            return
        structlog.contextvars.bind_contextvars(request_id=request.request_id)
        if structlog_settings.TRUST_UPSTREAM_CORRELATION_ID:
            correlation_id = request.META.get("HTTP_X_CORRELATION_ID")
            if correlation_id:
                structlog.contextvars.bind_contextvars(correlation_id=correlation_id)

    def handle_response(self, request, response) -> None:
        if (
            hasattr(request, "_raised_exception")
            or isinstance(response, StreamingHttpResponse)
            or access_line_written(request.path, response.status_code, self)
        ):
            super().handle_response(request, response)
        else:
            structlog.contextvars.clear_contextvars()


def access_line_written(path: str, status: int, middleware: RequestMiddleware) -> bool:
    """Whether the access line of a response would reach a handler (`drop_quiet_probes`)."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not access.isEnabledFor(middleware._log_level_for_status_code(status)):
        return False
    return not is_quiet_probe(path, status)


def is_quiet_probe(path: str | None, status: int | None) -> bool:
    """A successful probe's access line, written only when the access log is at DEBUG."""
    return (
        path in QUIET_PATHS
        and (status or 500) < 400
        and not logging.getLogger(ACCESS_LOGGER).isEnabledFor(logging.DEBUG)
    )


def _request_finished(sender, request, logger, response, log_kwargs, **kwargs) -> None:
    """The access line's fields (django-structlog adds `code` and `request`)."""
    user = resolved_user(request)
    started = getattr(request, "observability_started", None)
    log_kwargs.update(
        method=request.method,
        path=request.path,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 2) if started else None,
        client_ip=client_ip(request),
        role=getattr(user, "role", None),
    )


def _before_task_publish(sender, context: dict, **kwargs) -> None:
    """What a queued task's log lines carry from the request that queued it."""
    request = _current.get()
    if request is not None:
        user = request.user
        context.setdefault("request_id", request.request_id)
        context["schema"] = request.schema
        context["user_id"] = user.pk if user is not None else None


structlog_signals.bind_extra_request_finished_metadata.connect(_request_finished)
structlog_celery_signals.modify_context_before_task_publish.connect(_before_task_publish)


# --- Structured logs ---------------------------------------------------------------------------
def add_request_context(logger, method_name: str, event_dict: dict) -> dict:
    """Request id, schema and user of the current request (the user without a query); in a
    task, its college's schema (the request id and user came with the task)."""
    context = _current.get()
    if context is not None:
        user = context.user
        event_dict.setdefault("request_id", context.request_id)
        event_dict.setdefault("schema", context.schema)
        event_dict.setdefault("user_id", user.pk if user is not None else None)
    else:
        schema = getattr(connection, "schema_name", None)
        if schema is not None:
            event_dict.setdefault("schema", schema)
    return event_dict


def drop_quiet_probes(logger, method_name: str, event_dict: dict) -> dict:
    if is_quiet_probe(event_dict.get("path"), event_dict.get("status")):
        raise structlog.DropEvent
    return event_dict


_PAIRS = re.compile(r"(\w+)=(\S+)")


def _message_pairs(logger, method_name: str, event_dict: dict) -> dict:
    """`key=value` words of the message become fields (the security log's lines)."""
    for key, value in _PAIRS.findall(str(event_dict.get("message", ""))):
        event_dict.setdefault(key, value)
    return event_dict


def _uppercase_level(logger, method_name: str, event_dict: dict) -> dict:
    if "level" in event_dict:
        event_dict["level"] = event_dict["level"].upper()
    return event_dict


SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    add_request_context,
    structlog.stdlib.add_log_level,
    _uppercase_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
]


def configure_structlog() -> None:
    """structlog's own loggers (django-structlog's) hand their events to the stdlib handlers of
    `LOGGING`, which render them with `log_formatter`, like every other record."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def log_formatter(*, log: str, fmt: str = "json", pairs: bool = False):
    """A logging formatter: JSON lines (`fmt="json"`) or a terminal's (`"console"`), with
    `"log": log` on every line (so that a log pipeline can route the stream); with `pairs`,
    `key=value` words of the message become fields too."""

    def add_log(logger, method_name: str, event_dict: dict) -> dict:
        event_dict["log"] = log
        return event_dict

    renderer = (
        structlog.processors.JSONRenderer(default=str)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    processors = [structlog.stdlib.ProcessorFormatter.remove_processors_meta, drop_quiet_probes]
    processors.append(add_log)
    if fmt == "json":
        processors.append(structlog.processors.EventRenamer("message"))
        if pairs:
            processors.append(_message_pairs)
        processors.append(structlog.processors.format_exc_info)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*SHARED_PROCESSORS, structlog.stdlib.ExtraAdder()],
        processors=[*processors, renderer],
    )
    formatter.log = log
    return formatter


def logging_config(*, level: str, fmt: str, security_file: str = "") -> dict:
    """The LOGGING setting. `fmt` is "json" (one object per line) or "console" (for a
    terminal). The app and access logs go to stderr, the security log to its own handler
    (stderr, or `security_file` if given) with `"log": "security"` on every line."""
    fmt = "console" if fmt in ("console", "plain") else "json"

    def formatter(log: str, **options) -> dict:
        return {"()": "core.observability.log_formatter", "log": log, "fmt": fmt, **options}

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
            ACCESS_LOGGER: {"handlers": ["access"], "level": level, "propagate": False},
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
