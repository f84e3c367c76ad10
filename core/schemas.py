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


def schemas_per_statement() -> int:
    """How many schemas one fleet-wide statement reads (UNION ALL): 500 on one database, 1 on
    Citus, where a statement must stay inside one distributed schema (docs/scaling.md)."""
    return max(settings.TENANT_SCHEMAS_PER_STATEMENT, 1)


def schemas_with_table(table: str, schemas: list[str]) -> list[str]:
    """Those of `schemas` that hold `table` (the catalog by name, indexed; not
    information_schema, which scans every schema)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = %s AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)",
            [table, schemas],
        )
        return [row[0] for row in cursor.fetchall()]


def schemas_having(
    table: str, condition: sql.SQL, params: list, *, candidates: list[str]
) -> list[str]:
    """Those of `candidates` whose `table` has a row matching `condition` (SQL over its
    columns, `%s` for each of `params`): one statement per 500 schemas, not one per college.
    A schema without the table (not migrated yet) is skipped."""
    present = set(schemas_with_table(table, candidates))
    schemas = [schema for schema in candidates if schema in present]
    part = sql.SQL("SELECT %s WHERE EXISTS (SELECT 1 FROM {}.{} WHERE {})")
    found = []
    for start in range(0, len(schemas), schemas_per_statement()):
        chunk = schemas[start : start + schemas_per_statement()]
        statement = sql.SQL(" UNION ALL ").join(
            part.format(sql.Identifier(schema), sql.Identifier(table), condition)
            for schema in chunk
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, [value for schema in chunk for value in (schema, *params)])
            found += [row[0] for row in cursor.fetchall()]
    return found
