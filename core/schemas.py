"""SQL over many schemas at once: the college schemas, and which of them hold a row of a
table, in one statement per 500 schemas instead of one query per college. Used by the sweeps
of every layer (the outbox in core, the fleet migrations, the assessment deadlines)."""

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_tenant_model
from psycopg2 import sql


def fleet_schemas() -> list[str]:
    colleges = (
        get_tenant_model()
        .objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .filter(purged_at__isnull=True)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
    return [settings.TENANT_TEMPLATE_SCHEMA, *colleges]


SCHEMAS_PER_STATEMENT = 500


def schemas_having(
    table: str, condition: sql.SQL, params: list, *, candidates: list[str]
) -> list[str]:
    """Those of `candidates` whose `table` has a row matching `condition` (SQL over its
    columns, `%s` for each of `params`): one statement per 500 schemas, not one per college.
    A schema without the table (not migrated yet) is skipped."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = %s AND table_schema = ANY(%s)",
            [table, candidates],
        )
        present = {row[0] for row in cursor.fetchall()}
    schemas = [schema for schema in candidates if schema in present]
    part = sql.SQL("SELECT %s WHERE EXISTS (SELECT 1 FROM {}.{} WHERE {})")
    found = []
    for start in range(0, len(schemas), SCHEMAS_PER_STATEMENT):
        chunk = schemas[start : start + SCHEMAS_PER_STATEMENT]
        statement = sql.SQL(" UNION ALL ").join(
            part.format(sql.Identifier(schema), sql.Identifier(table), condition)
            for schema in chunk
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, [value for schema in chunk for value in (schema, *params)])
            found += [row[0] for row in cursor.fetchall()]
    return found
