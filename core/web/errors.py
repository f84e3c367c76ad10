"""Browsers get friendly pages, API clients the envelope. Every error of a college host (unknown
path, suspended or read-only college, CSRF failure, server error...) is produced once, as the
envelope; `HtmlErrorMiddleware` turns it into a page when a browser asked for a page."""

import orjson
from csp.utils import build_policy
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.template.loader import render_to_string

# No inline style anywhere in the workspace: only the stylesheet of our origin.
STRICT_CSP = {"style-src": ["'self'"]}
COPIED_HEADERS = ("Retry-After", "X-Billing-Status", "Strict-Transport-Security", "Vary")
API_PREFIXES = ("/api/", "/healthz", "/readyz", "/static/")

TITLES = {
    400: "That request could not be understood",
    401: "Please sign in",
    402: "Your workspace is read-only",
    403: "You cannot open this page",
    404: "We could not find that page",
    405: "That action is not available here",
    409: "That changed in the meantime",
    413: "That file is too large",
    415: "That file type is not accepted",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "Placemate is briefly unavailable",
}
HINTS = {
    402: "Your college's subscription has ended or its trial is over: everything stays readable, "
    "and your placement head can renew it from Billing.",
    403: "If you think you should have access, ask your placement office.",
    404: "The address may be mistyped, or the item was removed.",
    429: "Wait a minute and try again.",
    500: "The error was recorded. Try again in a moment; nothing you entered was saved twice.",
    503: "Try again in a few seconds.",
}


# The generic messages of the error handlers say no more than the page's title: not shown.
GENERIC_MESSAGES = frozenset(
    {"Not found.", "Permission denied.", "Bad request.", "Something went wrong on our side."}
)


def wants_html(request) -> bool:
    if request.path.startswith(API_PREFIXES):
        return False
    accept = request.headers.get("Accept", "")
    return "text/html" in accept or getattr(request, "htmx", False)


def college_of_request():
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "schema_name", "public") == "public":
        return None
    return tenant


def error_page(request, status: int, message: str = "", *, code: str = "") -> HttpResponse:
    context = {
        "status": status,
        "title": TITLES.get(status, "Something went wrong"),
        "message": "" if message in GENERIC_MESSAGES else message,
        "hint": HINTS.get(status, ""),
        "code": code,
        "college": college_of_request(),
        "signed_in": getattr(getattr(request, "user", None), "is_authenticated", False),
        "request": request,
    }
    html = render_to_string("web/error.html", context)
    return HttpResponse(html, status=status)


class HtmlErrorMiddleware:
    """Outermost but for the request id: turns an envelope error into a page for browsers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not wants_html(request):
            return response
        if not response.get("Content-Type", "").startswith("application/json"):
            return response
        try:
            error = orjson.loads(response.content)["error"]
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return response
        page = error_page(
            request, response.status_code, str(error.get("message", "")), code=error.get("code", "")
        )
        for header in COPIED_HEADERS:
            if header in response:
                page[header] = response[header]
        # built here, outside the middleware that sets them on every other response
        page["Content-Security-Policy"] = build_policy(replace=STRICT_CSP)
        page["X-Content-Type-Options"] = "nosniff"
        page["X-Frame-Options"] = "DENY"
        page["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
        return page
