"""The bound on what one database connection caches of the catalog: a persistent connection is
replaced, between requests, once it has served TENANT_CONNECTION_MAX_SCHEMAS distinct schemas
(or holds TENANT_CONNECTION_MAX_MB), and no request fails while that happens."""

import threading

import pytest
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.test.utils import CaptureQueriesContext

from tenants.services import college_host
from tests.wsgi import wsgi_application, wsgi_client


def backend_pid(conn) -> int:
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def serve(conn, schema: str) -> int:
    """What a request on `schema` does to the connection: a query under its search path, then
    Django's end-of-request check. Returns the backend that answered."""
    conn.set_schema(schema)
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user")
    pid = backend_pid(conn)
    conn.close_if_unusable_or_obsolete()
    return pid


@pytest.fixture
def own_connection():
    """A persistent connection of its own (outside the test's transaction), as a worker's."""
    conn = connections.create_connection("default")
    conn.settings_dict = {**conn.settings_dict, "CONN_MAX_AGE": None}
    yield conn
    conn.close()


def test_a_connection_is_replaced_once_it_has_served_the_bound_of_schemas(
    college, other_college, own_connection, settings
):
    settings.TENANT_CONNECTION_MAX_SCHEMAS = 3
    settings.TENANT_CONNECTION_MAX_MB = 0

    # the same colleges again and again: the connection stays
    first = {serve(own_connection, s) for s in [college.schema_name, "public"] * 5}
    assert len(first) == 1 and own_connection.connection is not None

    # a third distinct schema: the connection is closed at the end of that request
    before = serve(own_connection, other_college.schema_name)
    assert before in first and own_connection.connection is None

    # and the next request gets a new server process, with a fresh count
    after = serve(own_connection, college.schema_name)
    assert after != before
    assert own_connection.schemas_served == {college.schema_name}
    assert own_connection.recycled == 1


def test_without_a_bound_the_connection_is_kept(college, other_college, own_connection, settings):
    settings.TENANT_CONNECTION_MAX_SCHEMAS = 0
    settings.TENANT_CONNECTION_MAX_MB = 0

    pids = {serve(own_connection, s) for s in ["public", college.schema_name, "template_college"]}
    pids.add(serve(own_connection, other_college.schema_name))

    assert len(pids) == 1 and own_connection.recycled == 0


def test_a_connection_past_the_memory_bound_is_replaced(college, own_connection, settings):
    # given a bound of memory that any backend passes, checked every second request
    settings.TENANT_CONNECTION_MAX_SCHEMAS = 0
    settings.TENANT_CONNECTION_MAX_MB = 1
    settings.TENANT_CONNECTION_MEMORY_CHECK_EVERY = 2

    first = serve(own_connection, college.schema_name)
    assert own_connection.connection is not None  # not checked yet
    second = serve(own_connection, college.schema_name)

    assert first == second and own_connection.connection is None
    assert serve(own_connection, college.schema_name) != first


def test_no_request_fails_while_connections_are_replaced(college, other_college, settings):
    # given a bound of 2 schemas and persistent connections (CONN_MAX_AGE), as gunicorn's
    # threads would have
    settings.TENANT_CONNECTION_MAX_SCHEMAS = 2
    settings.TENANT_CONNECTION_MAX_MB = 0
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    hosts = ["localhost", college_host(college.subdomain), college_host(other_college.subdomain)]
    opened, failures, lock = [], [], threading.Lock()

    def count(sender, connection, **kwargs):
        with lock:
            opened.append(threading.get_ident())

    connection_created.connect(count)

    def worker(offset: int) -> None:
        try:
            with wsgi_application(keep_connection=False) as application:
                clients = [wsgi_client(application, host) for host in hosts]
                for index in range(30):
                    response = clients[(index + offset) % len(hosts)].get("/readyz")
                    if response.status_code != 200 or response.json["data"]["database"] != "ok":
                        failures.append((response.status_code, response.text[:200]))
        except Exception as exc:
            failures.append(repr(exc))
        finally:
            connections.close_all()

    # when four threads answer requests on three hosts at the same time
    try:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        connection_created.disconnect(count)

    # then every request succeeded, and connections were replaced on the way
    assert failures == []
    assert len(opened) > 4 * 5  # a new connection at least every few requests, per thread
    assert len(opened) < 4 * 30  # ... but not one per request


# --- SET search_path only when it changes ------------------------------------------------------


def search_path_statements(conn, schemas: list[str]) -> list[str]:
    """What `conn` sends to serve a request on each schema of `schemas` in turn (public first,
    as the tenant middleware selects it), with the schemas each query ran on."""
    sent, ran_on = [], []
    for schema in schemas:
        conn.set_schema_to_public()
        conn.set_schema(schema)
        with CaptureQueriesContext(conn) as queries, conn.cursor() as cursor:
            cursor.execute("SELECT current_schemas(false)")
            ran_on.append(cursor.fetchone()[0][0])
        sent += [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SET ")]
    assert ran_on == schemas  # whatever was skipped, every query ran on its schema
    return sent


def test_the_search_path_is_sent_only_when_it_changes(college, other_college, own_connection):
    alpha, beta = college.schema_name, other_college.schema_name

    sent = search_path_statements(own_connection, [alpha, alpha, alpha, beta, beta, alpha])

    assert sent == [
        f'SET search_path = "{alpha}","public"',
        f'SET search_path = "{beta}","public"',
        f'SET search_path = "{alpha}","public"',
    ]


def test_the_search_path_is_sent_again_after_a_rollback_reverted_it(college, own_connection):
    alpha = college.schema_name
    assert len(search_path_statements(own_connection, ["public"])) == 1

    # a transaction that selected the college (its SET is transactional) and rolled back
    own_connection.set_autocommit(False)
    search_path_statements(own_connection, [alpha])
    own_connection.rollback()
    own_connection.set_autocommit(True)
    assert own_connection.search_path_on_server is None

    # the server is back on public: the college's path is sent again
    assert search_path_statements(own_connection, [alpha]) == [
        f'SET search_path = "{alpha}","public"'
    ]


def test_the_search_path_is_sent_again_after_a_savepoint_rollback(college, own_connection):
    alpha = college.schema_name
    own_connection.set_autocommit(False)
    try:
        search_path_statements(own_connection, ["public"])
        savepoint = own_connection.savepoint()
        search_path_statements(own_connection, [alpha])
        assert search_path_statements(own_connection, [alpha]) == []  # the same path: skipped
        own_connection.savepoint_rollback(savepoint)  # reverts the SET sent after it

        assert len(search_path_statements(own_connection, [alpha])) == 1
    finally:
        own_connection.rollback()
        own_connection.set_autocommit(True)


def test_a_new_connection_is_sent_the_search_path(college, own_connection):
    alpha = college.schema_name
    search_path_statements(own_connection, [alpha])
    assert search_path_statements(own_connection, [alpha]) == []

    own_connection.close()

    assert len(search_path_statements(own_connection, [alpha])) == 1


def test_a_set_local_inside_a_transaction_is_followed_by_the_search_path(college, own_connection):
    # what cloning does (SET LOCAL, then forget_search_path), inside an outer transaction
    alpha = college.schema_name
    search_path_statements(own_connection, [alpha])
    own_connection.set_autocommit(False)
    try:
        with own_connection.cursor() as cursor:
            cursor.execute("SET LOCAL search_path TO pg_catalog")
        own_connection.forget_search_path()

        assert len(search_path_statements(own_connection, [alpha])) == 1
    finally:
        own_connection.rollback()
        own_connection.set_autocommit(True)
