"""Helpers of the page tests: a browser-like client on a college's host, signed in with the same
cookies as the workspace's sign-in page sets."""

from django.test import Client
from django_tenants.utils import tenant_context

from core.accounts.tokens import tokens_for
from tenants.models import College
from tests.conftest import host_of

HTML = "text/html,application/xhtml+xml"


def page_client(
    college: College, user=None, *, otp_verified: bool = True, csrf: bool = False
) -> Client:
    """A client that asks for HTML on `college`'s host, signed in as `user` when given (with
    `csrf`, it enforces CSRF checks as browsers' requests get them)."""
    client = Client(enforce_csrf_checks=csrf, HTTP_HOST=host_of(college), HTTP_ACCEPT=HTML)
    if user is not None:
        sign_in(client, college, user, otp_verified=otp_verified)
    return client


def sign_in(client: Client, college: College, user, *, otp_verified: bool = True) -> None:
    college.domain_url = host_of(college)
    with tenant_context(college):
        refresh = tokens_for(user, otp_verified=otp_verified)
    client.cookies["access_token"] = str(refresh.access_token)
    client.cookies["refresh_token"] = str(refresh)


def text_of(response) -> str:
    return response.content.decode()
