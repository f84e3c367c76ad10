"""Fleet sweeps whose cost follows the work, not the number of colleges.

The notes live in public's `tenants_duework` (the model is `tenants.models.DueWork`, a public
app's; `core` is installed in every schema and sits below `tenants`, so it reads the table by
name).

A service that creates work a periodic sweep must find (a mail in the outbox, a running
assessment attempt) calls `note(kind)` in its transaction: one row in public per schema and
kind (`DueWork`), its `due_at` the earliest moment the sweep should look. A sweep then costs:
1. one indexed query of the rows of its kind that are due;
2. one statement per 500 of those schemas reading, in each, when its next work is due;
3. one statement settling the rows: dropped where nothing is pending, moved to the next due
   time otherwise; a row noted again meanwhile (its `version` changed) is left alone, so a
   concurrent note is never lost.
It returns the schemas with work due now. At 10,000 colleges and none with mail, a sweep is
one query on an empty index range.
"""

from datetime import datetime

from django.db import connection
from django.utils import timezone
from psycopg2 import sql

from core.schemas import schemas_per_statement


def note(kind: str, at: datetime | None = None, *, schema_name: str | None = None) -> None:
    """The current schema (or `schema_name`) has work of `kind` due from `at` (now)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO public.tenants_duework (schema_name, kind, due_at, version) "
            "VALUES (%s, %s, %s, 1) ON CONFLICT (schema_name, kind) DO UPDATE "
            "SET due_at = LEAST(tenants_duework.due_at, EXCLUDED.due_at), "
            "version = tenants_duework.version + 1",
            [schema_name or connection.schema_name, kind, at or timezone.now()],
        )


def forget(schema_name: str) -> None:
    """Every row of a schema that is gone (a purged college)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.tenants_duework WHERE schema_name = %s", [schema_name])


def schemas_due(kind: str, *, table: str, pending: sql.Composable, due: str, params=()) -> list:
    """The schemas noted for `kind` whose `table` has a row matching `pending` (SQL over its
    columns, `%s` for each of `params`) with `due` (a column) passed; settles the rows read."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.schema_name, m.version FROM public.tenants_duework m "
            "WHERE m.kind = %s AND m.due_at <= %s AND EXISTS ("
            "  SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            "  WHERE n.nspname = m.schema_name AND c.relname = %s AND c.relkind = 'r')"
            " ORDER BY m.due_at",
            [kind, now, table],
        )
        noted = cursor.fetchall()
    if not noted:
        return []
    part = sql.SQL("SELECT %s, (SELECT min({due}) FROM {schema}.{table} WHERE {pending})")
    next_due: dict[str, datetime | None] = {}
    for start in range(0, len(noted), schemas_per_statement()):
        chunk = [schema for schema, _ in noted[start : start + schemas_per_statement()]]
        statement = sql.SQL(" UNION ALL ").join(
            part.format(
                due=sql.Identifier(due),
                schema=sql.Identifier(schema),
                table=sql.Identifier(table),
                pending=pending,
            )
            for schema in chunk
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, [v for schema in chunk for v in (schema, *params)])
            next_due.update(cursor.fetchall())
    _settle(kind, [(schema, version, next_due.get(schema)) for schema, version in noted])
    return [schema for schema, _ in noted if next_due.get(schema) and next_due[schema] <= now]


def _settle(kind: str, rows: list[tuple[str, int, datetime | None]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH seen(schema_name, version, next_at) AS (
                SELECT * FROM unnest(%s::text[], %s::bigint[], %s::timestamptz[])
            ), dropped AS (
                DELETE FROM public.tenants_duework m USING seen
                WHERE m.kind = %s AND m.schema_name = seen.schema_name
                  AND m.version = seen.version AND seen.next_at IS NULL
            )
            UPDATE public.tenants_duework m SET due_at = seen.next_at FROM seen
            WHERE m.kind = %s AND m.schema_name = seen.schema_name
              AND m.version = seen.version AND seen.next_at IS NOT NULL
            """,
            [
                [row[0] for row in rows],
                [row[1] for row in rows],
                [row[2] for row in rows],
                kind,
                kind,
            ],
        )
