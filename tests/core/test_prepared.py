"""A statement a connection runs again is prepared on it once and then executed: in the schema of
the college that runs it, with the same rows, out of the query log, and bounded per connection."""

import contextlib
import re
from decimal import Decimal

import pytest
from django.db import DataError, InternalError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core import prepared
from core.compiled import CompiledQuery
from tenant_apps.students.models import Student
from tests.browser import committed
from tests.conftest import client_for
from tests.core.test_database_outage import terminate
from tests.tenant_apps.factories import make_student

pytestmark = pytest.mark.django_db
PREPARED = re.compile(r"PREPARE \w+ AS (.*?)(?:; RELEASE SAVEPOINT \w+)?$", re.DOTALL)


@pytest.fixture
def fresh(db):
    """The test's connection with no statement prepared on it."""
    connection.ensure_connection()
    with connection.connection.cursor() as raw:
        raw.execute("DEALLOCATE ALL")
    connection.prepared_statements = prepared.Statements()
    return connection.prepared_statements


def on_server() -> dict[str, str]:
    """The statements prepared on the test's connection: name -> SQL (the server keeps the
    whole text sent with the PREPARE: a savepoint's or a DEALLOCATE's too)."""
    with connection.connection.cursor() as raw:
        raw.execute("SELECT name, statement FROM pg_prepared_statements")
        return {name: PREPARED.search(text)[1] for name, text in raw.fetchall()}


def run(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        return cursor.fetchall()


def roll_numbers(roll: str):
    return Student.objects.filter(roll_number=roll).values_list("roll_number", "cgpa")


def test_the_second_run_prepares_it_and_later_runs_only_execute(college, fresh):
    make_student(college, roll_number="P1", cgpa="8.10")
    query = CompiledQuery(roll_numbers, "example-roll")
    with tenant_context(college):
        expected = list(roll_numbers("P1"))
        with CaptureQueriesContext(connection) as first:
            assert query.rows("P1") == expected
        assert on_server() == {}  # seen once: run plainly
        with CaptureQueriesContext(connection) as later:
            second = query.rows("P1")
            third = query.rows("nobody")

    assert next(q["sql"] for q in first).startswith("SELECT")
    assert second == expected == [("P1", Decimal("8.10"))]
    assert third == []
    ((name, text),) = on_server().items()
    assert "$1" in text and '"students_student"' in text and "%s" not in text
    assert [q["sql"] for q in later] == [f"EXECUTE {name}('P1')", f"EXECUTE {name}('nobody')"]


def test_one_prepared_statement_reads_each_colleges_own_schema(college, other_college, fresh):
    make_student(college, roll_number="SAME", cgpa="9.00")
    make_student(other_college, roll_number="SAME", cgpa="6.00")
    make_student(other_college, roll_number="ONLY-THERE")
    query = CompiledQuery(roll_numbers, "example-roll")
    with tenant_context(college):
        query.rows("SAME")
        query.rows("SAME")  # prepared here, under this college's search_path
        mine = query.rows("SAME")
        assert query.rows("ONLY-THERE") == []
    with tenant_context(other_college):
        theirs = query.rows("SAME")
        assert query.rows("ONLY-THERE") != []
    with tenant_context(college):
        again = query.rows("SAME")

    assert len(on_server()) == 1  # one statement served both colleges
    assert mine == [("SAME", Decimal("9.00"))] == again
    assert theirs == [("SAME", Decimal("6.00"))]


def test_sql_it_cannot_prepare_runs_plainly_and_leaves_the_transaction_usable(fresh):
    # `SELECT $1 IS NULL`: PostgreSQL cannot infer the parameter's type
    with transaction.atomic():
        for value in (None, 1, None):
            assert run("SELECT %s IS NULL", [value]) == [(value is None,)]
        assert run("SELECT 41 + %s", [1]) == [(42,)]
        assert run("SELECT 41 + %s", [1]) == [(42,)]  # prepared, in the same transaction
    assert "SELECT %s IS NULL" in fresh.unpreparable
    assert list(on_server().values()) == ["SELECT 41 + $1"]


def test_in_an_aborted_transaction_the_plain_statements_error_is_raised_and_nothing_prepared(
    fresh,
):
    run("SELECT %s - 1", [1])
    with transaction.atomic():
        with transaction.atomic():  # a savepoint, so the test's transaction survives the test
            with contextlib.suppress(DataError):
                run("SELECT 1 / %s", [0])  # aborts the transaction, caught
            with pytest.raises(InternalError, match="current transaction is aborted"):
                run("SELECT %s - 1", [1])  # its second sighting, inside the aborted transaction
            transaction.set_rollback(True)
        assert run("SELECT %s - 1", [1]) == [(0,)]  # then prepared once the transaction is sound

    assert "SELECT %s - 1" not in fresh.unpreparable
    assert list(on_server().values()) == ["SELECT $1 - 1"]


def test_a_literal_percent_sign_is_kept(fresh):
    for _ in range(3):
        assert run("SELECT '100%%' || %s", ["!"]) == [("100%!",)]
    assert list(on_server().values()) == ["SELECT '100%' || $1"]


def test_a_connection_of_its_own_prepares_its_own_and_a_new_connection_starts_afresh():
    def twice_then_reconnect_then_twice():
        results = [run("SELECT %s * 2", [n]) for n in (1, 2)]
        names = list(connection.prepared_statements.names.values())
        connection.close()  # the server forgets its statements: so does the next connection
        results += [run("SELECT %s * 2", [n]) for n in (3, 4)]
        return results, names, on_server()

    results, names, after = committed(twice_then_reconnect_then_twice)

    assert results == [[(2,)], [(4,)], [(6,)], [(8,)]]
    assert len(names) == 1
    assert list(after.values()) == ["SELECT $1 * 2"]  # prepared again on the new connection


def test_a_connection_lost_before_the_prepare_is_djangos_error_not_the_drivers():
    def lose_the_connection_then_prepare():
        run("SELECT %s + 1", [1])
        terminate(connection.connection.get_backend_pid())
        try:
            with transaction.atomic():  # the PREPARE under a savepoint, on a dead connection
                run("SELECT %s + 1", [1])
        except Exception as exc:  # the error's class is what is tested
            return exc, "SELECT %s + 1" in connection.prepared_statements.unpreparable
        return None, None

    error, unpreparable = committed(lose_the_connection_then_prepare)

    assert isinstance(error, OperationalError)  # django.db's: the outage handler's 503
    assert unpreparable is False  # the SQL is not to blame


def test_past_the_limit_the_least_recently_used_is_deallocated(fresh, monkeypatch):
    monkeypatch.setattr(prepared, "LIMIT", 3)
    for n in range(1, 6):
        run(f"SELECT {n} + %s", [0])
        run(f"SELECT {n} + %s", [0])
        run("SELECT 1 + %s", [0])  # used again: kept
    assert run("SELECT 5 + %s", [1]) == [(6,)]

    assert sorted(on_server().values()) == ["SELECT 1 + $1", "SELECT 4 + $1", "SELECT 5 + $1"]
    assert len(fresh.names) == 3


def test_a_table_whose_columns_changed_is_prepared_again():
    def change_the_result_type():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE prepared_probe (a integer)")
            cursor.execute("INSERT INTO prepared_probe VALUES (1)")
        before = [run("SELECT * FROM prepared_probe WHERE a = %s", [1]) for _ in range(3)]
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE prepared_probe ADD COLUMN b integer DEFAULT 7")
        after = [run("SELECT * FROM prepared_probe WHERE a = %s", [1]) for _ in range(3)]
        return before, after, on_server()

    before, after, statements = committed(change_the_result_type)

    assert before == [[(1,)]] * 3
    assert after == [[(1, 7)]] * 3  # run plainly once, then prepared again
    assert len(statements) == 1


def test_off_by_setting_nothing_is_prepared(college, coordinator, fresh, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    settings.DATA_CACHE_SECONDS = 0
    make_student(college, roll_number="OFF")
    client = client_for(college, coordinator)
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/students/").status_code == 200
        assert not [q for q in queries if q["sql"].startswith("EXECUTE")]
    assert on_server() == {}


def test_a_list_page_read_again_runs_prepared_with_the_same_queries_and_json(
    college, other_college, coordinator, fresh, settings
):
    settings.DATA_CACHE_SECONDS = 0  # every request reads the database
    for n in range(3):
        make_student(college, roll_number=f"L{n}")
    make_student(other_college, roll_number="THEIRS")
    client = client_for(college, coordinator)
    client.get("/api/v1/companies/")  # the college's domain and search_path, once
    with CaptureQueriesContext(connection) as first:
        plain = client.get("/api/v1/students/")
    first = [q["sql"] for q in first]  # read before the next request clears the log
    client.get("/api/v1/students/")  # the second run prepares
    with CaptureQueriesContext(connection) as third:
        again = client.get("/api/v1/students/")

    assert again.json()["data"] == plain.json()["data"]
    assert again.json()["pagination"] == plain.json()["pagination"]
    assert [s["roll_number"] for s in again.json()["data"]] == ["L0", "L1", "L2"]
    assert len(third) == len(first)
    assert any("readmodel_page" in sql for sql in first)
    # no statement text was sent for the page: only EXECUTEs of what was prepared
    assert not [q for q in third if "FROM" in q["sql"]]
    assert any("readmodel_page" in text for text in on_server().values())
