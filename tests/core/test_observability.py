"""Request ids, the access log and JSON log lines with the request's context."""

import io
import json
import logging

import pytest
from django.test import Client

from core.observability import JsonFormatter, logging_config
from tests.conftest import client_for, login

ACCESS = logging.getLogger("placemate.access")
SECURITY = logging.getLogger("placemate.security")


@pytest.fixture
def access_records(caplog):
    caplog.set_level(logging.DEBUG, logger=ACCESS.name)
    return lambda: [record for record in caplog.records if record.name == ACCESS.name]


def configured_handler(logger: logging.Logger, log: str) -> logging.StreamHandler:
    """The handler that LOGGING gave `logger` (pytest adds its own capturing handlers)."""
    (handler,) = [
        handler
        for handler in logger.handlers
        if isinstance(handler.formatter, JsonFormatter) and handler.formatter.fields["log"] == log
    ]
    return handler


def lines_written(handler: logging.StreamHandler):
    """Redirect `handler` while the test runs; the lines it wrote, parsed."""
    stream = io.StringIO()
    original = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(original)


@pytest.fixture
def security_lines():
    yield from lines_written(configured_handler(SECURITY, "security"))


@pytest.fixture
def app_lines():
    yield from lines_written(configured_handler(logging.getLogger(), "app"))


def test_a_request_id_is_made_when_none_is_sent(college):
    first = client_for(college).get("/healthz")
    second = client_for(college).get("/healthz")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_request_id_is_kept(college):
    response = client_for(college).get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21:0042")

    assert response["X-Request-ID"] == "lb-7f3a9c21:0042"


@pytest.mark.parametrize(
    "sent", ["short", "x" * 129, "two words here", 'quote"d-request-id', "line\nbreak-id-000"]
)
def test_an_unusable_request_id_is_replaced(college, sent):
    response = client_for(college).get("/healthz", HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32


def test_the_request_id_is_on_error_responses_too(college):
    response = client_for(college).get("/api/v1/companies/")

    assert response.status_code == 401
    assert response["X-Request-ID"]


@pytest.mark.parametrize("host", ["nowhere.localhost", "evil.example.com"])
def test_requests_refused_before_any_college_is_known_have_an_id_and_a_log_line(
    db, host, access_records
):
    response = Client(HTTP_HOST=host).get("/api/v1/companies/", HTTP_X_REQUEST_ID="probe-42")

    assert response.status_code in (400, 404)
    assert response["X-Request-ID"] == "probe-42"
    (record,) = access_records()
    assert record.request_id == "probe-42" and record.status == response.status_code


def test_one_access_record_per_request_with_its_context(college, student, access_records):
    response = client_for(college, student).get(
        "/api/v1/auth/user/", HTTP_X_REQUEST_ID="req-0123456789"
    )

    assert response.status_code == 200
    (record,) = access_records()
    assert record.levelno == logging.INFO
    assert record.request_id == "req-0123456789"
    assert record.schema == college.schema_name
    assert record.user_id == student.pk
    assert record.role == "student"
    assert record.method == "GET"
    assert record.path == "/api/v1/auth/user/"
    assert record.status == 200
    assert 0 < record.duration_ms < 10_000
    assert record.client_ip == "127.0.0.1"


def test_anonymous_and_failing_requests_are_logged_without_a_user(college, access_records):
    response = client_for(college).get("/api/v1/companies/")

    (record,) = access_records()
    assert response.status_code == 401
    assert record.status == 401
    assert record.user_id is None
    assert record.role is None


def test_probes_are_logged_at_debug_only(college, access_records):
    client_for(college).get("/healthz")

    (record,) = access_records()
    assert record.levelno == logging.DEBUG


def test_json_lines_carry_the_request_context(college, student):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(fields={"log": "access"}))
    ACCESS.addHandler(handler)
    try:
        response = client_for(college, student).get("/api/v1/auth/user/")
    finally:
        ACCESS.removeHandler(handler)

    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["log"] == "access"
    assert line["level"] == "INFO"
    assert line["logger"] == "placemate.access"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["schema"] == college.schema_name
    assert line["user_id"] == student.pk
    assert line["status"] == 200
    assert line["message"].startswith("GET /api/v1/auth/user/ 200 ")


def test_security_events_go_to_their_own_handler_as_json(college, coordinator, security_lines):
    response = login(client_for(college), coordinator.email)

    assert response.status_code == 200
    (line,) = security_lines()
    assert line["log"] == "security"
    assert line["logger"] == "placemate.security"
    assert line["event"] == "login"
    assert line["user"] == str(coordinator.pk)
    assert line["request_id"] == response["X-Request-ID"]
    assert line["schema"] == college.schema_name


def test_the_security_log_does_not_reach_the_app_log(college, coordinator, app_lines):
    login(client_for(college), coordinator.email, "wrong-password")
    logging.getLogger("placemate.tests").warning("an app line")

    assert [line["message"] for line in app_lines()] == ["an app line"]


def test_exceptions_are_one_json_line(college):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.observability")
    logger.addHandler(handler)
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("it failed")
    finally:
        logger.removeHandler(handler)

    (line,) = stream.getvalue().splitlines()
    payload = json.loads(line)
    assert payload["message"] == "it failed"
    assert "ValueError: boom" in payload["exc_info"]


def test_plain_format_and_security_file_can_be_chosen(tmp_path):
    config = logging_config(level="INFO", fmt="plain", security_file=str(tmp_path / "sec.log"))

    assert "()" not in config["formatters"]["app"]
    assert config["handlers"]["security"]["filename"] == str(tmp_path / "sec.log")
    assert config["loggers"]["placemate.security"]["propagate"] is False
