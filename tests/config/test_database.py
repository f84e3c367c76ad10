"""The connection policy every settings module gets from `database_from_url`."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tenant_apps.drives.eligibility import drive_eligible_students
from tests.tenant_apps.factories import make_drive

pytestmark = pytest.mark.django_db


def test_connections_run_without_the_jit_even_past_its_cost_threshold(college):
    # given a server that would compile any query (the lowest thresholds)
    with tenant_context(college), connection.cursor() as cursor:
        cursor.execute("SET jit_above_cost = 0")
        drive = make_drive(college)
        sql, params = drive_eligible_students(drive=drive).values("id").query.sql_with_params()
        # when the drive's eligible students are read
        cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET jit_above_cost")
    # then nothing was compiled: the connection has the JIT off
    assert "JIT:" not in plan
