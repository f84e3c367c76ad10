"""Live-row counts kept by the database (tenant_apps/kit/counting.py): every kind of write keeps
the sum equal to COUNT(*), each college counts its own rows, and a staff list's total reads the
count when it is the whole table's, and counts otherwise."""

import psycopg2
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.drives.models import Drive
from tenant_apps.kit.counting import COUNTED, TRIGGERED
from tenant_apps.students.models import Student
from tests.tenant_apps.factories import make_drive, make_student

pytestmark = pytest.mark.django_db

STUDENTS = Student._meta.db_table


def live_rows(college, table: str) -> int:
    with tenant_context(college), connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(live), 0) FROM kit_live_rows WHERE table_name = %s", [table]
        )
        return cursor.fetchone()[0]


def live_students(college) -> int:
    with tenant_context(college):
        return Student.all_objects.filter(deleted_at__isnull=True).count()


def test_every_counted_table_and_no_other_has_the_triggers_in_a_college(college):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, g.tgname FROM pg_trigger g "
            "JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND g.tgname LIKE 'kit_live_rows_%%'",
            [college.schema_name],
        )
        found = set(cursor.fetchall())

    assert found == {(table, f"kit_live_rows_{op}") for table in COUNTED for op in TRIGGERED}


def test_the_count_follows_inserts_soft_deletes_restores_changes_and_deletes(college):
    assert live_rows(college, STUDENTS) == live_students(college)
    start = live_students(college)

    students = [make_student(college, roll_number=f"C{n}") for n in range(4)]
    assert live_rows(college, STUDENTS) == start + 4

    with tenant_context(college):
        ids = [s.pk for s in students]
        Student.all_objects.filter(pk__in=ids[:3]).update(deleted_at=timezone.now())
        assert live_rows(college, STUDENTS) == start + 1  # one statement, three rows
        Student.all_objects.filter(pk__in=ids[:3]).update(deleted_at=timezone.now())
        assert live_rows(college, STUDENTS) == start + 1  # deleted again: no change
        Student.all_objects.filter(pk=ids[0]).update(deleted_at=None)  # restored
        assert live_rows(college, STUDENTS) == start + 2
        Student.all_objects.filter(pk__in=ids).update(department="MECH")  # no live change
        assert live_rows(college, STUDENTS) == start + 2
        Student.all_objects.filter(pk__in=[ids[1], ids[3]]).hard_delete()  # one dead, one live
        assert live_rows(college, STUDENTS) == start + 1

    assert live_rows(college, STUDENTS) == live_students(college)


def test_a_truncated_table_counts_nothing(college):
    make_drive(college)
    assert live_rows(college, Drive._meta.db_table) >= 1

    with tenant_context(college), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys' checks done first
        cursor.execute("TRUNCATE drives_drive CASCADE")

        assert Drive.all_objects.count() == 0
    assert live_rows(college, Drive._meta.db_table) == 0
    assert live_rows(college, STUDENTS) == live_students(college)  # another table: kept


def test_writers_fold_the_changes_and_keep_the_sum(college):
    table = Drive._meta.db_table
    drive = make_drive(college)
    with tenant_context(college):
        for _ in range(320):  # one INSERT statement each, a fold about once in 32
            drive.pk = None
            drive.save()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM kit_live_rows WHERE table_name = %s", [table])
            kept = cursor.fetchone()[0]
        live = Drive.all_objects.filter(deleted_at__isnull=True).count()

    # 322 changes at least (the factory's, these): folded (no fold at all: 1 run in 20,000)
    assert kept < 300
    assert live_rows(college, table) == live


def test_a_writer_never_waits_for_a_change_another_transaction_holds(college):
    # given another transaction holding a lock on the drives' committed count
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
        port=settings["PORT"], password=settings["PASSWORD"],
    )  # fmt: skip
    table = Drive._meta.db_table
    try:
        with other.cursor() as cursor:
            cursor.execute(
                f'SELECT id FROM "{college.schema_name}".kit_live_rows '  # noqa: S608
                "WHERE table_name = %s FOR UPDATE",
                [table],
            )
            held = {row[0] for row in cursor.fetchall()}
        assert held  # the migration's count, committed
        drive = make_drive(college)
        # when this one writes often enough to fold the changes several times
        with tenant_context(college):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")  # a wait would fail the insert
            for _ in range(160):
                drive.pk = None
                drive.save()
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM kit_live_rows WHERE table_name = %s", [table])
                kept = {row[0] for row in cursor.fetchall()}
            live = Drive.all_objects.filter(deleted_at__isnull=True).count()
    finally:
        other.rollback()
        other.close()

    # then the held rows were left for a later fold, and the sum is still the count
    assert held <= kept
    assert live_rows(college, table) == live


def test_each_college_counts_its_own_rows(college, other_college):
    mine, theirs = live_rows(college, STUDENTS), live_rows(other_college, STUDENTS)

    make_student(other_college, roll_number="THEIRS1")
    make_student(other_college, roll_number="THEIRS2")

    assert live_rows(college, STUDENTS) == mine
    assert live_rows(other_college, STUDENTS) == theirs + 2 == live_students(other_college)


def test_a_staff_list_total_reads_the_count_and_a_narrower_one_counts(
    college, other_college, coordinator_client, settings
):
    settings.DATABASE_PREPARED_STATEMENTS = False  # the statements' text is read
    for n in range(3):
        make_student(college, roll_number=f"T{n}", department="CSE")
    make_student(college, roll_number="T9", department="ECE")
    make_student(other_college, roll_number="OTHER")  # not theirs to count
    coordinator_client.get("/healthz")

    with CaptureQueriesContext(connection) as whole:
        everyone = coordinator_client.get("/api/v1/students/?page_size=1")
    with CaptureQueriesContext(connection) as narrow:
        some = coordinator_client.get("/api/v1/students/?page_size=1&department=CSE")

    (statement,) = [q["sql"] for q in whole if "readmodel_page" in q["sql"]]
    assert "kit_live_rows" in statement and "COUNT(*)" not in statement
    assert everyone.json()["pagination"]["total"] == live_students(college)
    assert b'"total":%d,' % live_students(college) in everyone.content  # a whole number
    (statement,) = [q["sql"] for q in narrow if "readmodel_page" in q["sql"]]
    assert "kit_live_rows" not in statement and "COUNT(*)" in statement
    assert some.json()["pagination"]["total"] == 3

    # a student removed through the API leaves the total one shorter, and the rows agree
    first = everyone.json()["data"][0]["id"]
    assert coordinator_client.delete(f"/api/v1/students/{first}/").status_code == 204
    after = coordinator_client.get("/api/v1/students/?page_size=100")
    assert after.json()["pagination"]["total"] == live_students(college)
    assert after.json()["pagination"]["total"] == len(after.json()["data"])
    assert first not in {row["id"] for row in after.json()["data"]}
