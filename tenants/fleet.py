"""Fleet migrations: find, in one query, the college schemas whose migrations are behind the
code, and migrate only those (the template schema included, so new colleges clone a current
schema). A deploy with nothing to migrate costs one query, not one migrate per college."""

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from psycopg2 import sql

from core.schemas import fleet_schemas as fleet_schemas  # the fleet: every college schema


def _tenant_app_labels() -> set[str]:
    names = set(settings.TENANT_APPS)
    return {config.label for config in apps.get_app_configs() if config.name in names}


def expected_tenant_migrations() -> list[str]:
    """Every migration a college schema must have applied, as `app.name`."""
    labels = _tenant_app_labels()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.graph.nodes if app in labels)


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
