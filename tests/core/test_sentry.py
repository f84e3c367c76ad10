"""Error reporting: Sentry events carry the college and the role, and nothing personal.

Events are caught by a local transport: nothing leaves the process."""

import json
import os
import subprocess
import sys

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from core.observability import scrub_event, sentry_init
from tests.conftest import client_for, host_of, login
from tests.core.failing_urls import LEAKS
from tests.wsgi import wsgi_application, wsgi_client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class CollectingTransport(Transport):
    """Keeps the envelopes the SDK would send."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    @property
    def events(self) -> list[dict]:
        events = [envelope.get_event() for envelope in self.envelopes]
        return [event for event in events if event is not None]


@pytest.fixture
def sentry_transport(settings):
    settings.ROOT_URLCONF = "tests.core.failing_urls"
    transport = CollectingTransport()
    sentry_init(
        dsn="https://public@sentry.invalid/1",
        release="placemate@1.2.3",
        environment="staging",
        transport=transport,
    )
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: an inactive client for the rest of the session


def leaks_in(event: dict, *secrets: str) -> list[str]:
    text = json.dumps(event)
    return [secret for secret in secrets if secret in text]


def test_an_api_error_is_tagged_with_college_role_and_request(college, student, sentry_transport):
    access = login(client_for(college), student.email).cookies["access_token"].value
    csrf = "csrf-token-value-0123456789abcdef"

    with wsgi_application() as application:
        response = wsgi_client(application, host_of(college)).get(
            f"/failing/api/?email={LEAKS['email']}&token=query-secret-value&page=2",
            headers={
                "Authorization": f"Bearer {access}",
                "Cookie": f"csrftoken={csrf}; access_token={access}",
                "X-CSRFToken": csrf,
                "X-Request-ID": "req-sentry-0001",
            },
        )

    assert response.status_code == 500
    assert response.json["error"]["code"] == "server_error"
    (event,) = sentry_transport.events
    assert event["tags"]["college"] == college.schema_name
    assert event["tags"]["role"] == "student"
    assert event["tags"]["request_id"] == "req-sentry-0001"
    assert event["user"] == {"id": str(student.pk)}
    assert event["release"] == "placemate@1.2.3"
    assert event["environment"] == "staging"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["request"]["url"].endswith("/failing/api/")
    assert event["request"]["headers"]["X-Request-Id"] == "req-sentry-0001"
    assert "page=2" in event["request"]["query_string"]
    assert not leaks_in(
        event,
        access,
        csrf,
        student.email,
        LEAKS["email"],
        LEAKS["jwt"],
        LEAKS["password"],
        "query-secret-value",
        "Bearer",
    )


def test_a_plain_django_error_is_tagged_and_scrubbed(college, sentry_transport):
    with wsgi_application() as application:
        response = wsgi_client(application, host_of(college)).get(
            "/failing/plain/",
            headers={"Authorization": "Basic dXNlcjpwYXNz", "Cookie": "sessionid=session-value"},
        )

    assert response.status_code == 500
    assert response.json["error"]["code"] == "server_error"
    events = sentry_transport.events
    assert events
    for event in events:
        assert event["tags"]["college"] == college.schema_name
        assert "role" not in event["tags"]  # nobody signed in
        assert "user" not in event
        assert event["request"]["url"].endswith("/failing/plain/")
        assert not leaks_in(
            event, LEAKS["email"], LEAKS["password"], "session-value", "dXNlcjpwYXNz"
        )


def test_the_scrubber_filters_keys_and_patterns_anywhere():
    event = {
        "message": f"mail to {LEAKS['email']}",
        "request": {
            "headers": {"Authorization": "Bearer abc.def", "X-Request-ID": "rid-12345678"},
            "cookies": {"access_token": LEAKS["jwt"]},
            "query_string": "key=invitation-key&page=2",
            "data": {"password": LEAKS["password"], "code": "654321", "first_name": "Kiran"},
        },
        "breadcrumbs": {"values": [{"message": f"token {LEAKS['jwt']}"}]},
        "extra": {"otp_token": "otp-secret", "nested": [{"refresh": "refresh-secret"}]},
        "modules": {"django-otp": "1.7.5", "dj-rest-auth": "7.2.0"},
    }

    scrubbed = scrub_event(event, {})

    assert not leaks_in(
        scrubbed,
        LEAKS["email"],
        LEAKS["jwt"],
        LEAKS["password"],
        "abc.def",
        "invitation-key",
        "654321",
        "otp-secret",
        "refresh-secret",
    )
    assert scrubbed["request"]["headers"]["X-Request-ID"] == "rid-12345678"
    assert scrubbed["request"]["query_string"].endswith("page=2")
    assert scrubbed["request"]["data"]["first_name"] == "Kiran"
    assert scrubbed["modules"] == {"django-otp": "1.7.5", "dj-rest-auth": "7.2.0"}


def sentry_state(**env) -> dict:
    code = (
        "import json, sentry_sdk; from django.conf import settings; settings.INSTALLED_APPS; "
        "client = sentry_sdk.get_client(); options = client.options; "
        "print(json.dumps({'active': client.is_active()} if not client.is_active() else "
        "{'active': True, 'release': options['release'], "
        "'environment': options['environment'], "
        "'user_info': options['data_collection']['user_info'], "
        "'cookies': options['data_collection']['cookies']['mode'], "
        "'bodies': options['data_collection']['http_bodies']}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sentry_starts_only_with_a_dsn():
    assert sentry_state()["active"] is False

    state = sentry_state(
        SENTRY_DSN="https://public@sentry.invalid/1",
        SENTRY_RELEASE="placemate@abc123",
        SENTRY_ENVIRONMENT="production-eu",
    )

    assert state == {
        "active": True,
        "release": "placemate@abc123",
        "environment": "production-eu",
        "user_info": False,
        "cookies": "off",
        "bodies": [],
    }
