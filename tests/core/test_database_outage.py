"""The database going away: requests fail fast with a 503 envelope, then succeed again once it is
back, with no restart of the application.

These tests run outside the usual test transaction (they only read), through Django's real
WSGI entry point, so that connections are handled as in production: checked at the start of
each request (CONN_HEALTH_CHECKS) and closed at its end after an error."""

import contextlib
import time

import psycopg2
import pytest
from django.db import connection

from tests.conftest import client_for, free_port
from tests.wsgi import wsgi_application, wsgi_client


@pytest.fixture
def live_database(request, django_db_setup, django_db_blocker, settings):
    """Database access outside a test transaction; the ids of the test colleges."""
    schemas = request.getfixturevalue("_schemas")
    settings.ROOT_URLCONF = "tests.core.failing_urls"
    with django_db_blocker.unblock():
        yield schemas
        connection.close()


@contextlib.contextmanager
def database_down():
    """New connections are refused (the server's port is closed), as while PostgreSQL restarts."""
    connection.close()
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


def terminate(pid: int) -> None:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with contextlib.closing(psycopg2.connect(**params)) as other:
        other.autocommit = True
        with other.cursor() as cursor:
            # and wait for the backend to end (a server that ends a session says so first)
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


def assert_unavailable(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    error = response.json["error"]
    assert response.json["success"] is False
    assert error["code"] == "service_unavailable"
    assert error["type"] == "ServiceUnavailable"


def test_a_connection_killed_between_requests_is_replaced_transparently(live_database):
    with wsgi_application(keep_connection=False) as application:
        client = wsgi_client(application, "localhost")
        assert client.get("/api/v1/plans/").status_code == 200
        pid = connection.connection.get_backend_pid()  # kept open (CONN_MAX_AGE)

        terminate(pid)
        response = client.get("/api/v1/plans/")

    assert response.status_code == 200
    assert connection.connection.get_backend_pid() != pid


def test_an_idle_connection_is_checked_without_a_round_trip_unless_the_server_spoke(
    live_database, monkeypatch
):
    checks = []
    is_usable = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or is_usable())
    with wsgi_application(keep_connection=False) as application:
        client = wsgi_client(application, "localhost")
        assert client.get("/api/v1/plans/").status_code == 200
        pid = connection.connection.get_backend_pid()
        assert client.get("/api/v1/plans/").status_code == 200
        quiet = len(checks)

        terminate(pid)  # the server sends its FATAL message and closes the socket
        response = client.get("/api/v1/plans/")

    assert quiet == 0  # alive, idle, nothing to read: no SELECT 1
    assert checks == [1]  # the socket was readable: checked, found dead, replaced
    assert response.status_code == 200
    assert connection.connection.get_backend_pid() != pid


def test_database_down_means_503_envelopes_everywhere_then_recovery(live_database):
    with wsgi_application(keep_connection=False) as application:
        platform = wsgi_client(application, "localhost")
        college = wsgi_client(application, "alpha.localhost")
        unknown = wsgi_client(application, "gamma.localhost")
        assert platform.get("/api/v1/plans/").status_code == 200  # hosts now resolved, cached
        assert college.get("/failing/query/").status_code == 200

        with database_down():
            started = time.monotonic()
            api = platform.get("/api/v1/plans/")  # DRF view: the exception handler
            plain = college.get("/failing/query/")  # plain Django view: handler500
            host = unknown.get("/api/v1/auth/user/")  # host resolution needs the database
            ready = college.get("/readyz")
            alive = college.get("/healthz")
            elapsed = time.monotonic() - started

        assert_unavailable(api)
        assert_unavailable(plain)
        assert host.status_code == 503
        assert host.json["error"]["code"] == "service_unavailable"
        assert ready.status_code == 503
        assert ready.json["error"]["details"]["database"] == "unavailable"
        assert alive.status_code == 200
        assert elapsed < 5  # refused at once, no hanging requests

        # the same application, no restart
        assert platform.get("/api/v1/plans/").status_code == 200
        assert college.get("/failing/query/").status_code == 200
        assert college.get("/readyz").status_code == 200


def test_a_query_cancelled_by_the_server_is_a_503(college, settings):
    settings.ROOT_URLCONF = "tests.core.failing_urls"

    response = client_for(college).get("/failing/slow/")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response["Retry-After"] == "5"
