"""JSON endpoints pay only for the middleware they use.

`MIDDLEWARE` is the stack of pages (the workspace, the admin, the API's HTML documentation,
static files). A request to a JSON endpoint (`JSON_ENDPOINT_PREFIXES`: the API, health checks)
leaves it at `JsonEndpointsMiddleware`, right after tenant resolution, for `JSON_MIDDLEWARE`:
no sessions, messages, htmx, Django's session authentication, django-otp's or allauth's
middleware, and no CSP (a JSON answer runs no script). DRF authenticates from the token, and the
services that need allauth's request context enter it themselves. The JSON stack keeps every
protection an API answer needs: the security headers, CORS, the college's status, CSRF's cookie
(set by a cookie sign-in), X-Frame-Options, the audit context; the cookie flows check CSRF and
origins in their views (core/accounts/csrf.py).

The JSON stack is built as Django builds `MIDDLEWARE` (BaseHandler.load_middleware): the same
`process_view`, `process_exception` and `process_template_response` hooks, then URL resolution
and the view, so a middleware behaves in it as it does in `MIDDLEWARE`."""

import functools

import corsheaders.middleware
from corsheaders.conf import conf as cors_conf
from corsheaders.signals import check_request_enabled
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string


def is_json_endpoint(path: str) -> bool:
    return path.startswith(settings.JSON_ENDPOINT_PREFIXES) and not path.startswith(
        settings.PAGES_UNDER_JSON_PREFIXES
    )


class MiddlewareChain(BaseHandler):
    """The middleware `paths`, in order, in front of Django's URL resolution and view."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__()
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(paths):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler

    def __call__(self, request):
        return self._middleware_chain(request)


class JsonEndpointsMiddleware:
    """JSON endpoints go on through `JSON_MIDDLEWARE`, everything else through the rest of
    `MIDDLEWARE`."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.json = MiddlewareChain(settings.JSON_MIDDLEWARE)

    def __call__(self, request):
        if is_json_endpoint(request.path_info):
            return self.json(request)
        return self.get_response(request)


def cross_origin_configured() -> bool:
    """Whether any origin may read answers across origins: a listed origin or pattern, all of
    them, or a `check_request_enabled` receiver deciding per request."""
    return _origins_configured() or check_request_enabled.has_listeners()


@functools.cache
def _origins_configured() -> bool:
    # read once: django-cors-headers' settings look up their old names too, each an
    # AttributeError when absent (12 µs a request); a changed setting (tests) forgets it
    return bool(
        cors_conf.CORS_ALLOWED_ORIGINS
        or cors_conf.CORS_ALLOWED_ORIGIN_REGEXES
        or cors_conf.CORS_ALLOW_ALL_ORIGINS
    )


@receiver(setting_changed)
def _cors_setting_changed(setting: str, **kwargs) -> None:
    if setting.startswith("CORS_"):
        _origins_configured.cache_clear()


class CorsMiddleware(corsheaders.middleware.CorsMiddleware):
    """django-cors-headers, when a cross-origin client is configured (`CORS_ALLOWED_ORIGINS`).
    Without one it would answer no request differently, yet it parses every request's headers
    and writes `Vary: Origin` on every answer (measured: a sixth of a college host's `/healthz`
    in process): a request then goes straight on."""

    def __call__(self, request):
        if not cross_origin_configured():
            return self.get_response(request)
        return super().__call__(request)
