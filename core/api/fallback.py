"""Never Django's technical pages (traceback, settings, URL list), even with DEBUG on under
`make run`: every error reaches the URL set's own handlers (`handler400` ... `handler500`),
which answer the envelope or an HTML page.

Django shows its technical pages with DEBUG for a path no route matches, for an exception a
view raises and for a disallowed Host. Hence the last route of each URL set (`unknown_path`),
a middleware that hands a view's exception to the handlers before Django's DEBUG branch sees
it, and the tenant middleware answering a disallowed Host itself (see `error_page`)."""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.handlers.exception import get_exception_response
from django.http import Http404, HttpResponsePermanentRedirect
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, get_resolver, get_urlconf, resolve

logger = logging.getLogger("django.request")
security_logger = logging.getLogger("django.security")


def error_page(request, status: int, exception: Exception | None = None, *, urlconf=None):
    """The URL set's handler for `status` (the request's URL set unless told)."""
    resolver = get_resolver(urlconf or getattr(request, "urlconf", None) or get_urlconf())
    if status == 500:  # handler500 takes the request alone, as Django calls it
        return resolver.resolve_error_handler(500)(request)
    return get_exception_response(request, resolver, status, exception or Exception())


def unknown_path(request, path: str = ""):
    """The last route: 404 from the handler. A path that exists with a trailing slash is
    redirected there, as CommonMiddleware's APPEND_SLASH would (it never sees a 404 now)."""
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/", getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        if match is not None and match.func is not unknown_path and request.method == "GET":
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return error_page(request, 404, Http404())


class ErrorPagesMiddleware:
    """With DEBUG, answers a view's exception as Django does without it; without DEBUG it
    leaves Django alone (which calls the same handlers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not settings.DEBUG:
            return None
        if isinstance(exception, Http404):
            return error_page(request, 404, exception)
        if isinstance(exception, PermissionDenied):
            return error_page(request, 403, exception)
        if isinstance(exception, MultiPartParserError | BadRequest | SuspiciousOperation):
            if isinstance(exception, SuspiciousOperation):
                security_logger.error(str(exception))
            return error_page(request, 400, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return error_page(request, 500, exception)
