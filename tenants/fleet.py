"""Fleet migrations: find, in one query, the college schemas whose migrations are behind the
code, and migrate only those (the template schema included, so new colleges clone a current
schema). A deploy with nothing to migrate costs one query, not one migrate per college.

Each schema's state is a marker in public (`SchemaMigrations`): the digest of the tenant
migrations it had applied when a migrate of it finished (`post_migrate`, whatever ran it) or
when it was cloned from the template. A schema is behind when its marker is missing or differs
from the digest of the code's migrations, so a new migration makes every schema pending at once.
Unmarked schemas (a first deploy of the markers, a migrate that failed) are checked the slow
way, in their own tables, and marked; `migrate_fleet --verify` does that for every schema.
"""

import functools
import hashlib

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from psycopg2 import sql

from core import schemas as fleet_sql
from core.schemas import schemas_per_statement, schemas_with_table
from tenants.models import PooledSchema


def _tenant_app_labels() -> set[str]:
    names = set(settings.TENANT_APPS)
    return {config.label for config in apps.get_app_configs() if config.name in names}


def expected_tenant_migrations() -> list[str]:
    """Every migration a college schema must have applied, as `app.name`."""
    return list(_expected_tenant_migrations())


@functools.cache
def _expected_tenant_migrations() -> tuple[str, ...]:
    labels = _tenant_app_labels()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return tuple(sorted(f"{app}.{name}" for app, name in loader.graph.nodes if app in labels))


@functools.cache
def expected_digest() -> str:
    """The digest of every tenant migration of the code (cached: the code does not change)."""
    return migrations_digest(expected_tenant_migrations())


def migrations_digest(names) -> str:
    return hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()


def schemas_unmarked(schemas: list[str], digest: str | None = None) -> list[str]:
    """Those of `schemas` whose marker is missing or not at `digest`: one indexed query."""
    if not schemas:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.name FROM unnest(%s::text[]) WITH ORDINALITY AS s(name, position) "
            "WHERE NOT EXISTS (SELECT 1 FROM public.tenants_schemamigrations m "
            "WHERE m.schema_name = s.name AND m.digest = %s) ORDER BY s.position",
            [schemas, digest or expected_digest()],
        )
        return [row[0] for row in cursor.fetchall()]


def schemas_mark_current(schemas: list[str], digest: str | None = None) -> None:
    """Record that `schemas` have every migration of the code applied."""
    if not schemas:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO public.tenants_schemamigrations (schema_name, digest, updated_at) "
            "SELECT name, %s, now() FROM unnest(%s::text[]) AS name "
            "ON CONFLICT (schema_name) DO UPDATE "
            "SET digest = EXCLUDED.digest, updated_at = EXCLUDED.updated_at",
            [digest or expected_digest(), schemas],
        )


def schema_mark_like(target: str, source: str) -> None:
    """`target` is a copy of `source` (a clone of the template): the same marker."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO public.tenants_schemamigrations (schema_name, digest, updated_at) "
            "SELECT %s, digest, now() FROM public.tenants_schemamigrations "
            "WHERE schema_name = %s ON CONFLICT (schema_name) DO UPDATE "
            "SET digest = EXCLUDED.digest, updated_at = EXCLUDED.updated_at",
            [target, source],
        )


def schema_forget(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM public.tenants_schemamigrations WHERE schema_name = %s", [schema]
        )


def mark_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """`post_migrate` (once per migrate run): mark the schema just migrated, from its own
    django_migrations table, current if it has every tenant migration of the code."""
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return
    applied = {f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()}
    if set(expected_tenant_migrations()) <= applied:
        schemas_mark_current([connection.schema_name])
    else:
        schema_forget(connection.schema_name)


def fleet_behind(schemas: list[str], *, verify: bool = False, mark: bool = True) -> list[str]:
    """The schemas among `schemas` that need a migrate: those not marked current, less those
    whose own table shows every migration (marked now, unless not `mark`). With `verify`,
    every schema's own table is read, markers or not."""
    expected = expected_tenant_migrations()
    suspects = schemas if verify else schemas_unmarked(schemas)
    if not suspects:
        return []
    behind = schemas_behind(suspects, expected)
    if mark:
        late = set(behind)
        schemas_mark_current([schema for schema in suspects if schema not in late])
    return behind


def fleet_schemas() -> list[str]:
    """Every schema `migrate_fleet` keeps current: the template, the pooled schemas (so a
    sign-up never gets a schema behind the template) and the colleges."""
    template, *colleges = fleet_sql.fleet_schemas()
    pooled = PooledSchema.objects.order_by("pk").values_list("schema_name", flat=True)
    return [template, *pooled, *colleges]


def schemas_behind(schemas: list[str], expected: list[str]) -> list[str]:
    """The schemas among `schemas` that lack any of `expected`: one statement for the fleet."""
    if not schemas:
        return []
    existing = set(schemas_with_table("django_migrations", schemas))
    missing_table = [schema for schema in schemas if schema not in existing]
    present = [schema for schema in schemas if schema in existing]
    part = sql.SQL(
        "SELECT %s, (SELECT count(*) FROM {}.django_migrations WHERE app || '.' || name = ANY(%s))"
    )
    counts = {}
    for start in range(0, len(present), schemas_per_statement()):
        chunk = present[start : start + schemas_per_statement()]
        statement = sql.SQL(" UNION ALL ").join(part.format(sql.Identifier(s)) for s in chunk)
        with connection.cursor() as cursor:
            cursor.execute(statement, [value for s in chunk for value in (s, expected)])
            counts.update(cursor.fetchall())
    return missing_table + [schema for schema in present if counts[schema] < len(expected)]


def public_is_behind() -> bool:
    connection.set_schema_to_public()
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return bool(executor.migration_plan(targets))
