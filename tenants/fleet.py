"""Fleet migrations: find, in one query, the college schemas whose migrations are behind the
code, and migrate only those (the template schema included, so new colleges clone a current
schema). A deploy with nothing to migrate costs one query, not one migrate per college."""

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import get_tenant_model
from psycopg2 import sql


def _tenant_app_labels() -> set[str]:
    from django.apps import apps

    names = set(settings.TENANT_APPS)
    return {config.label for config in apps.get_app_configs() if config.name in names}


def expected_tenant_migrations() -> list[str]:
    """Every migration a college schema must have applied, as `app.name`."""
    labels = _tenant_app_labels()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.graph.nodes if app in labels)


def fleet_schemas() -> list[str]:
    colleges = (
        get_tenant_model()
        .objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .filter(purged_at__isnull=True)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
    return [settings.TENANT_TEMPLATE_SCHEMA, *colleges]


def schemas_behind(schemas: list[str], expected: list[str]) -> list[str]:
    """The schemas among `schemas` that lack any of `expected`: one statement for the fleet."""
    if not schemas:
        return []
    existing = set(_schemas_with_migration_table(schemas))
    missing_table = [schema for schema in schemas if schema not in existing]
    present = [schema for schema in schemas if schema in existing]
    if not present:
        return missing_table
    part = sql.SQL(
        "SELECT %s, (SELECT count(*) FROM {}.django_migrations WHERE app || '.' || name = ANY(%s))"
    )
    statement = sql.SQL(" UNION ALL ").join(
        part.format(sql.Identifier(schema)) for schema in present
    )
    params = []
    for schema in present:
        params += [schema, expected]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        counts = dict(cursor.fetchall())
    return missing_table + [schema for schema in present if counts[schema] < len(expected)]


def _schemas_with_migration_table(schemas: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [schemas],
        )
        return [row[0] for row in cursor.fetchall()]


def public_is_behind() -> bool:
    connection.set_schema_to_public()
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return bool(executor.migration_plan(targets))


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
