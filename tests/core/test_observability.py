"""Request ids, the access log and structured (JSON) log lines with the request's context,
in requests and in the Celery tasks they queue."""

import io
import json
import logging

import pytest
from django.test import Client
from django_structlog import signals as structlog_signals
from django_structlog.celery.receivers import CeleryReceiver

from core.accounts import apis
from core.observability import ACCESS_LOGGER, log_formatter, logging_config
from tenant_apps.students.tasks import students_invite
from tests.conftest import client_for, login

ACCESS = logging.getLogger(ACCESS_LOGGER)
SECURITY = logging.getLogger("placemate.security")


def configured_handler(logger: logging.Logger, log: str) -> logging.StreamHandler:
    """The handler that LOGGING gave `logger` (pytest adds its own capturing handlers)."""
    (handler,) = [
        handler for handler in logger.handlers if getattr(handler.formatter, "log", None) == log
    ]
    return handler


def lines_written(handler: logging.StreamHandler):
    """Redirect `handler` while the test runs; the lines it wrote, parsed."""
    stream = io.StringIO()
    original = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(original)


@pytest.fixture
def access_lines():
    yield from lines_written(configured_handler(ACCESS, "access"))


@pytest.fixture
def security_lines():
    yield from lines_written(configured_handler(SECURITY, "security"))


@pytest.fixture
def app_lines():
    yield from lines_written(configured_handler(logging.getLogger(), "app"))


def finished(lines) -> list[dict]:
    return [line for line in lines if line["message"] == "request_finished"]


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
    db, host, access_lines
):
    response = Client(HTTP_HOST=host).get("/api/v1/companies/", HTTP_X_REQUEST_ID="probe-42")

    assert response.status_code in (400, 404)
    assert response["X-Request-ID"] == "probe-42"
    (line,) = finished(access_lines())
    assert line["request_id"] == "probe-42" and line["status"] == response.status_code


def test_one_access_line_per_request_with_its_context(college, student, access_lines):
    response = client_for(college, student).get(
        "/api/v1/auth/user/", HTTP_X_REQUEST_ID="req-0123456789"
    )

    assert response.status_code == 200
    (line,) = finished(access_lines())
    assert line["log"] == "access"
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-0123456789"
    assert line["schema"] == college.schema_name
    assert line["user_id"] == student.pk
    assert line["role"] == "student"
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/auth/user/"
    assert line["status"] == 200
    assert 0 < line["duration_ms"] < 10_000
    assert line["client_ip"] == "127.0.0.1"


def test_anonymous_and_failing_requests_are_logged_without_a_user(college, access_lines):
    response = client_for(college).get("/api/v1/companies/")

    (line,) = finished(access_lines())
    assert response.status_code == 401
    assert line["status"] == 401
    assert line["user_id"] is None
    assert line["role"] is None


def test_probes_are_not_logged_unless_debug_is_on(college, access_lines):
    client_for(college).get("/healthz")

    assert finished(access_lines()) == []


@pytest.fixture
def finished_metadata():
    """The requests for which django-structlog built an access line (its signal's calls)."""
    calls = []

    def receiver(sender, request, **kwargs):
        calls.append(request.path)

    structlog_signals.bind_extra_request_finished_metadata.connect(receiver)
    yield calls
    structlog_signals.bind_extra_request_finished_metadata.disconnect(receiver)


@pytest.fixture
def access_at_warning():
    level = ACCESS.level
    ACCESS.setLevel(logging.WARNING)
    yield
    ACCESS.setLevel(level)


def test_no_access_line_is_built_that_no_handler_would_take(college, finished_metadata):
    client_for(college).get("/healthz")  # a quiet probe
    client_for(college).get("/api/v1/companies/")  # a 401, logged

    assert finished_metadata == ["/api/v1/companies/"]


@pytest.fixture
def logging_view(monkeypatch):
    """`auth/user` logs a warning "inside the view" before answering."""
    original = apis.UserApi.get
    logger = logging.getLogger("placemate.tests")

    def view(self, request, *args, **kwargs):
        logger.warning("inside the view")
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(apis.UserApi, "get", view)


@pytest.mark.usefixtures("logging_view")
def test_below_the_access_logs_level_lines_still_carry_the_request_id(
    college, student, app_lines, access_lines, access_at_warning, finished_metadata
):
    # given an access log that takes warnings only, and a view that logs (logging_view)

    # when a request succeeds (its line would be INFO)
    response = client_for(college, student).get(
        "/api/v1/auth/user/", HTTP_X_REQUEST_ID="req-below-the-level"
    )

    # then no access line was built, and the view's line has the request's id
    assert response.status_code == 200
    assert finished_metadata == [] and finished(access_lines()) == []
    (line,) = [line for line in app_lines() if line["message"] == "inside the view"]
    assert line["request_id"] == "req-below-the-level"


@pytest.mark.usefixtures("logging_view")
def test_a_line_logged_in_a_request_carries_its_id_college_and_user(college, student, app_lines):
    # given a view that logs (logging_view)

    # when
    response = client_for(college, student).get("/api/v1/auth/user/")

    # then the line carries the request's id, college and user
    (line,) = [line for line in app_lines() if line["message"] == "inside the view"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["schema"] == college.schema_name
    assert line["user_id"] == student.pk
    assert line["level"] == "WARNING" and line["logger"] == "placemate.tests"


def test_a_task_queued_by_a_request_logs_with_the_request_id(
    college, coordinator, app_lines, monkeypatch
):
    # given a task that logs, queued (run eagerly, as without a broker) by a request
    logger = logging.getLogger("placemate.tests")

    def send(*, user_ids, link_base):
        logger.warning("task running for %d users", len(user_ids))
        return 0

    monkeypatch.setattr("tenant_apps.students.invitations.students_invite_send", send)

    def queue_from_a_view(self, request, *args, **kwargs):
        students_invite.apply_async(args=[[coordinator.pk], "http://x/"])
        return original(self, request, *args, **kwargs)

    original = apis.UserApi.get
    monkeypatch.setattr(apis.UserApi, "get", queue_from_a_view)

    # when
    response = client_for(college, coordinator).get(
        "/api/v1/auth/user/", HTTP_X_REQUEST_ID="req-with-a-task-01"
    )

    # then the task's line carries the request's id, college and user
    assert response.status_code == 200
    (line,) = [line for line in app_lines() if line["message"] == "task running for 1 users"]
    assert line["request_id"] == "req-with-a-task-01"
    assert line["schema"] == college.schema_name
    assert line["user_id"] == coordinator.pk


def test_a_task_published_to_a_broker_carries_the_request_context(
    college, coordinator, monkeypatch
):
    # given: what django-structlog writes into a task's headers when a request publishes it
    # (a worker binds it back before the task runs: its lines carry the request's id)
    headers: dict = {}

    def publish_from_a_view(self, request, *args, **kwargs):
        CeleryReceiver().receiver_before_task_publish(headers=headers, properties={})
        return original(self, request, *args, **kwargs)

    original = apis.UserApi.get
    monkeypatch.setattr(apis.UserApi, "get", publish_from_a_view)

    # when
    client_for(college, coordinator).get("/api/v1/auth/user/", HTTP_X_REQUEST_ID="req-publish-01")

    # then
    carried = headers["__django_structlog__"]
    assert carried["request_id"] == "req-publish-01"
    assert carried["schema"] == college.schema_name
    assert carried["user_id"] == coordinator.pk


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
    handler.setFormatter(log_formatter(log="app"))
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
    assert "ValueError: boom" in payload["exception"]


def test_a_terminal_gets_readable_lines_and_the_security_file_can_be_chosen(tmp_path):
    config = logging_config(level="INFO", fmt="console", security_file=str(tmp_path / "sec.log"))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log_formatter(log="app", fmt=config["formatters"]["app"]["fmt"]))
    logger = logging.getLogger("tests.observability.console")
    logger.addHandler(handler)
    try:
        logger.warning("readable")
    finally:
        logger.removeHandler(handler)

    assert "readable" in stream.getvalue() and not stream.getvalue().startswith("{")
    assert config["handlers"]["security"]["filename"] == str(tmp_path / "sec.log")
    assert config["loggers"]["placemate.security"]["propagate"] is False
