"""The deadline sweep: find the colleges holding overdue attempts in one statement per 500
schemas, then submit and score those attempts college by college."""

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from psycopg2 import sql

from tenant_apps.assessments.models import Attempt, AttemptStatus
from tenant_apps.assessments.services import attempts_finalise_overdue

TABLE = Attempt._meta.db_table
SCHEMAS_PER_STATEMENT = 500


def schemas_with_overdue_attempts() -> list[str]:
    from tenants.fleet import fleet_schemas

    connection.set_schema_to_public()
    candidates = [schema for schema in fleet_schemas() if schema != settings.TENANT_TEMPLATE_SCHEMA]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = %s AND table_schema = ANY(%s)",
            [TABLE, candidates],
        )
        present = {row[0] for row in cursor.fetchall()}
    schemas = [schema for schema in candidates if schema in present]
    part = sql.SQL(
        "SELECT %s WHERE EXISTS (SELECT 1 FROM {}.{} WHERE status = %s "
        "AND deleted_at IS NULL AND deadline <= %s)"
    )
    now = timezone.now()
    overdue = []
    for start in range(0, len(schemas), SCHEMAS_PER_STATEMENT):
        chunk = schemas[start : start + SCHEMAS_PER_STATEMENT]
        statement = sql.SQL(" UNION ALL ").join(
            part.format(sql.Identifier(schema), sql.Identifier(TABLE)) for schema in chunk
        )
        params = [v for schema in chunk for v in (schema, AttemptStatus.IN_PROGRESS, now)]
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            overdue += [row[0] for row in cursor.fetchall()]
    return overdue


def expire_overdue_everywhere() -> int:
    done = 0
    for schema_name in schemas_with_overdue_attempts():
        with schema_context(schema_name):
            done += attempts_finalise_overdue()
    return done
