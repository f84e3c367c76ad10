"""Mailed links carry the scheme, host and port of the college's workspace."""

import pytest
from django.test import RequestFactory

from core.links import workspace_url


def test_a_link_built_in_a_request_keeps_its_port():
    request = RequestFactory().get("/", HTTP_HOST="alpha.localhost:8103", SERVER_PORT="8103")
    assert (
        workspace_url("/verify-email/", host="alpha.localhost", request=request, key="k:1")
        == "http://alpha.localhost:8103/verify-email/?key=k%3A1"
    )


@pytest.mark.parametrize(
    ("scheme", "port", "expected"),
    [
        ("http", "8103", "http://alpha.localhost:8103/me/"),
        ("https", "443", "https://alpha.localhost/me/"),
        ("https", "", "https://alpha.localhost/me/"),
    ],
)
def test_a_link_built_in_a_task_uses_the_settings(settings, scheme, port, expected):
    settings.WORKSPACE_URL_SCHEME = scheme
    settings.WORKSPACE_URL_PORT = port
    assert workspace_url("/me/", host="alpha.localhost") == expected
