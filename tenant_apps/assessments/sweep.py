"""The deadline sweep: find the colleges holding overdue attempts through the schemas noted as
running attempts (one indexed query, core.due), then submit and score those attempts college
by college."""

from django.db import connection
from django_tenants.utils import schema_context
from psycopg2 import sql

from core import due
from tenant_apps.assessments.models import Attempt, AttemptStatus
from tenant_apps.assessments.services import DUE_KIND, attempts_finalise_overdue

TABLE = Attempt._meta.db_table


def schemas_with_overdue_attempts() -> list[str]:
    connection.set_schema_to_public()
    return due.schemas_due(
        DUE_KIND,
        table=TABLE,
        pending=sql.SQL("status = %s AND deleted_at IS NULL"),
        params=[AttemptStatus.IN_PROGRESS],
        due="deadline",
    )


def expire_overdue_everywhere() -> int:
    done = 0
    for schema_name in schemas_with_overdue_attempts():
        with schema_context(schema_name):
            done += attempts_finalise_overdue()
    return done
