"""Under `make run` (DEBUG on, Django's development server) an unknown path, a disallowed Host,
a view's exception, a past-due college and a body nested too deeply answer the envelope, never
Django's technical pages nor a 500."""

import io
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import ServerHandler, get_internal_wsgi_application
from django.test import RequestFactory

from tenants.models import CollegeStatus
from tests.conftest import client_for, host_of, login
from tests.wsgi import wsgi_application

DEBUG_PAGE_MARKS = ("Using the URLconf", "Traceback", "DisallowedHost at", "SECRET_KEY")


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


def through_development_server(host: str, path: str, method: str = "GET", body: bytes = b""):
    """A request as `manage.py runserver` handles it: its WSGI application, behind wsgiref's
    handler (which refuses a header value that is not exactly a str)."""
    environ = RequestFactory().generic(method, path, HTTP_HOST=host).environ
    environ = {k: v for k, v in environ.items() if not k.startswith("wsgi.")}
    environ["CONTENT_LENGTH"] = str(len(body))
    output = io.BytesIO()
    with wsgi_application():  # keeps the test's connection (and transaction) open
        handler = ServerHandler(io.BytesIO(body), output, io.StringIO(), environ)
        handler.request_handler = SimpleNamespace(
            server=None, close_connection=False, log_request=lambda *args, **kwargs: None
        )
        handler.run(get_internal_wsgi_application())
    head, _, content = output.getvalue().partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, content.decode()


def assert_envelope(content: str, code: str) -> None:
    assert f'"code":"{code}"' in content.replace(" ", ""), content[:300]
    assert not any(mark in content for mark in DEBUG_PAGE_MARKS), content[:300]


def test_an_unknown_path_answers_the_envelope(debug, college, public_tenant):
    for host in (host_of(college), "localhost"):
        status, _headers, content = through_development_server(host, "/no/such/page/")

        assert status == 404
        assert_envelope(content, "not_found")


def test_a_disallowed_host_answers_the_envelope(debug):
    status, _headers, content = through_development_server("evil.example.org", "/api/v1/plans/")

    assert status == 400
    assert_envelope(content, "validation_error")


def test_an_unknown_path_without_a_slash_answers_the_envelope(debug, college):
    response = client_for(college).get("/no-such-thing")

    assert response.status_code == 404
    assert_envelope(response.content.decode(), "not_found")


def test_a_plain_view_raising_answers_the_500_envelope(debug, college, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("core.accounts.pages._page", explode)

    client = client_for(college)
    client.raise_request_exception = False
    response = client.get("/verify-email/?key=x")

    assert response.status_code == 500
    assert_envelope(response.content.decode(), "server_error")


def test_a_missing_slash_still_redirects(debug, college):
    response = client_for(college).get("/api/v1/companies")

    assert response.status_code == 301 and response["Location"].endswith("/api/v1/companies/")


def test_a_past_due_college_answers_under_the_development_server(debug, college):
    college.status = CollegeStatus.PAST_DUE
    college.save(update_fields=["status"])

    status, headers, content = through_development_server(host_of(college), "/healthz")

    assert status == 200, content
    assert headers["X-Billing-Status"] == "past_due"


def test_a_deeply_nested_body_is_a_400_on_sign_in(college, coordinator):
    body = "[" * 1000 + "]" * 1000
    response = client_for(college).generic(
        "POST", "/api/v1/auth/login/", body, content_type="application/json"
    )
    shallow = client_for(college).generic(
        "POST",
        "/api/v1/auth/login/",
        '{"a":' * 40 + "1" + "}" * 40,
        content_type="application/json",
    )

    assert response.status_code == shallow.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert login(client_for(college), coordinator.email).status_code == 200
