"""The deadline sweep: find the colleges holding overdue attempts in one statement per 500
schemas, then submit and score those attempts college by college."""

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from psycopg2 import sql

from core.schemas import fleet_schemas, schemas_having
from tenant_apps.assessments.models import Attempt, AttemptStatus
from tenant_apps.assessments.services import attempts_finalise_overdue

TABLE = Attempt._meta.db_table


def schemas_with_overdue_attempts() -> list[str]:
    connection.set_schema_to_public()
    return schemas_having(
        TABLE,
        sql.SQL("status = %s AND deleted_at IS NULL AND deadline <= %s"),
        [AttemptStatus.IN_PROGRESS, timezone.now()],
        candidates=[s for s in fleet_schemas() if s != settings.TENANT_TEMPLATE_SCHEMA],
    )


def expire_overdue_everywhere() -> int:
    done = 0
    for schema_name in schemas_with_overdue_attempts():
        with schema_context(schema_name):
            done += attempts_finalise_overdue()
    return done
