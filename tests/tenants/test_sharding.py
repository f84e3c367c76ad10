"""What Citus schema-based sharding needs of a college schema (docs/scaling.md): each college a
unit that can live on any node, public a set of reference tables. Checked on one database:
- no foreign key from a college schema to public or to another college;
- no query of a request or task names two colleges (fleet-wide statements go one schema per
  statement with TENANT_SCHEMAS_PER_STATEMENT = 1);
- a college's DDL (clone, pool rename) touches nothing outside its schema;
- the clone works table by table: each statement creates or changes one table's objects.
"""

import re

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunSQL
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core import due
from tenants import cloning, fleet, pool
from tenants.models import College
from tests.conftest import client_for, make_user

IDENTIFIER = re.compile(r'"([a-z0-9_]+)"\.')


def foreign_keys_leaving(schema: str) -> list[tuple]:
    """(table, constraint, schema referenced) for each FK of `schema` pointing elsewhere."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, k.conname, rn.nspname
            FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_class r ON r.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
            WHERE k.contype = 'f' AND n.nspname = %s AND rn.nspname <> n.nspname
            """,
            [schema],
        )
        return cursor.fetchall()


def foreign_key_count(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' "
            "AND n.nspname = %s",
            [schema],
        )
        return cursor.fetchone()[0]


def test_no_foreign_key_leaves_a_cloned_college_or_the_template(college, other_college):
    for schema in ("template_college", college.schema_name, other_college.schema_name):
        assert foreign_key_count(schema) > 50  # the check sees the schema's foreign keys
        assert foreign_keys_leaving(schema) == [], schema


def test_no_college_model_relates_to_a_public_only_model():
    tenant_apps = set(settings.TENANT_APPS)
    college_models = [m for m in apps.get_models() if m._meta.app_config.name in tenant_apps]
    assert len(college_models) > 30
    leaving = [
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for model in college_models
        for field in model._meta.get_fields()
        if field.is_relation
        and field.concrete
        and field.related_model is not None
        and field.related_model._meta.app_config.name not in tenant_apps
    ]
    assert leaving == []


def test_no_college_migration_runs_sql_outside_its_schema():
    tenant_labels = {c.label for c in apps.get_app_configs() if c.name in settings.TENANT_APPS}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    statements = [
        str(operation.sql)
        for (app, _), migration in loader.disk_migrations.items()
        if app in tenant_labels
        for operation in migration.operations
        if isinstance(operation, RunSQL)
    ]
    assert [s for s in statements if re.search(r"\bpublic\s*\.|\bc_[a-z0-9_]+\s*\.", s)] == []


def schemas_named(sql_text: str, known: set[str]) -> set[str]:
    return {name for name in IDENTIFIER.findall(sql_text) if name in known}


def college_schemas() -> set[str]:
    return {
        *College.objects.exclude(schema_name="public").values_list("schema_name", flat=True),
        settings.TENANT_TEMPLATE_SCHEMA,
        *pool.pool_schemas(),
    }


def test_no_request_or_task_query_names_two_colleges(college, other_college, settings):
    # given the fleet-wide statements at one schema each (as on Citus), and work in both colleges
    settings.TENANT_SCHEMAS_PER_STATEMENT = 1
    admin = make_user(college, "admin")
    make_user(other_college, "admin")
    known = college_schemas()
    for tenant in (college, other_college):
        due.note("outbox", schema_name=tenant.schema_name)

    # when a college's pages and API answer, and the fleet's sweeps and checks run
    with CaptureQueriesContext(connection) as queries:
        client = client_for(college, admin)
        for path in ("/api/v1/students/", "/api/v1/companies/", "/api/v1/drives/", "/readyz"):
            assert client.get(path).status_code == 200, path
        from core.outbox.relay import relay_pending
        from tenant_apps.assessments.sweep import expire_overdue_everywhere

        relay_pending()
        expire_overdue_everywhere()
        fleet.fleet_behind(fleet.fleet_schemas(), verify=True, mark=False)

    # then no statement named two college schemas
    named = [schemas_named(q["sql"], known) for q in queries.captured_queries]
    assert [n for n in named if len(n) > 1] == []
    assert any(n == {other_college.schema_name} for n in named)  # the check sees names


def other_schemas_objects(target: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            # TOAST tables and their indexes belong to their table (here: the new schema's)
            "SELECT n.nspname, c.relkind, count(*), max(c.relfilenode) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname <> %s "
            "AND n.nspname <> 'pg_toast' GROUP BY 1, 2 ORDER BY 1, 2",
            [target],
        )
        objects = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint k "
            "JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname <> %s ORDER BY 1, 2",
            [target],
        )
        return objects + cursor.fetchall()


def test_a_clone_creates_nothing_outside_its_schema(db, _schemas):
    before = other_schemas_objects("c_confined")

    with transaction.atomic():
        cloning.clone_schema("template_college", "c_confined")

    assert other_schemas_objects("c_confined") == before
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'c_confined'"
        )
        assert cursor.fetchone()[0] > 100


def test_the_clone_goes_table_by_table(db, _schemas):
    # each statement creates or changes the objects of one table of the new schema, reading
    # at most the same table of the template: a distributed schema can take them one by one
    catalog = cloning.template_catalog("template_college")
    statements = [
        s.as_string(connection.connection)
        for s in cloning.clone_statements(catalog, "template_college", "c_unit")
    ]
    tables = set(catalog[0])
    assert statements[0] == 'CREATE SCHEMA "c_unit"' and len(statements) > 300
    for statement in statements[1:]:
        referenced = set(re.findall(r'"?(c_unit|template_college)"?\."?([a-z0-9_]+)"?', statement))
        schemas = {schema for schema, _ in referenced}
        assert "c_unit" in schemas, statement
        targets = {table for schema, table in referenced if schema == "c_unit"}
        sources = {table for schema, table in referenced if schema == "template_college"}
        if statement.startswith(("CREATE TABLE", "INSERT")):
            assert len(targets) == 1 and sources == targets, statement
        else:  # constraints and indexes: one table, or a foreign key inside the schema
            known = tables | _sequences(catalog) | _functions(catalog)
            assert sources == set() and targets <= known, statement


def _sequences(catalog) -> set[str]:
    return {f"{table}_{column}_seq" for table, column in catalog[3]}


def _functions(catalog) -> set[str]:
    return {name for name, _ in catalog[4]}


def test_a_pooled_schema_renamed_for_a_sign_up_keeps_its_objects_inside(db, _schemas):
    pool.pool_fill(size=1)
    (pooled,) = pool.pool_schemas()
    with transaction.atomic():
        assert pool.schema_take("c_renamed_unit")

    assert foreign_keys_leaving("c_renamed_unit") == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", [pooled]
        )  # the old name is gone
        assert cursor.fetchone() == (0,)
    with tenant_context(College(schema_name="c_renamed_unit")), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        assert cursor.fetchone()[0] > 50
