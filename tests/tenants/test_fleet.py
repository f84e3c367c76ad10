"""Fleet migrations: which college schemas are behind, found in one query."""

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg2 import sql

from tenants import fleet


def test_a_current_fleet_has_nothing_behind_and_costs_one_query(college, other_college):
    schemas = fleet.fleet_schemas()
    expected = fleet.expected_tenant_migrations()

    with CaptureQueriesContext(connection) as queries:
        behind = fleet.schemas_behind(schemas, expected)

    assert behind == []
    assert schemas[0] == "template_college"
    assert {college.schema_name, other_college.schema_name} <= set(schemas)
    assert "companies.0001_initial" in expected and "billing.0001_initial" not in expected
    # one query lists the schemas that have a migration table, one checks them all
    assert len([q for q in queries.captured_queries if "search_path" not in q["sql"]]) == 2


def test_a_schema_missing_a_migration_is_found(college, other_college):
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DELETE FROM {}.django_migrations WHERE app = %s AND name = %s").format(
                sql.Identifier(other_college.schema_name)
            ),
            ["companies", "0001_initial"],
        )

    behind = fleet.schemas_behind(fleet.fleet_schemas(), fleet.expected_tenant_migrations())

    assert behind == [other_college.schema_name]


def test_a_schema_without_a_migration_table_is_behind(db, _schemas):
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "c_empty"')

    assert fleet.schemas_behind(["c_empty"], fleet.expected_tenant_migrations()) == ["c_empty"]


def test_the_command_reports_and_leaves_a_current_fleet_alone(db, _schemas, capsys):
    call_command("migrate_fleet", "--check")

    assert "0 of" in capsys.readouterr().out


def test_migrate_fleet_brings_a_behind_schema_up_to_date(db, _schemas, capsys):
    # given a college whose schema lost an app (its tables and migration records)
    from tenants.services import college_ensure

    college_ensure(subdomain="behind", name="Behind College")
    with connection.cursor() as cursor:
        cursor.execute(
            'DROP TABLE "c_behind".token_blacklist_blacklistedtoken, '
            '"c_behind".token_blacklist_outstandingtoken'
        )
        cursor.execute("DELETE FROM \"c_behind\".django_migrations WHERE app = 'token_blacklist'")
    assert fleet.schemas_behind(["c_behind"], fleet.expected_tenant_migrations()) == ["c_behind"]

    # when
    call_command("migrate_fleet", "--executor", "standard", verbosity=0)

    # then only that schema was migrated, and it is whole again
    assert "1 of" in capsys.readouterr().out
    assert fleet.schemas_behind(fleet.fleet_schemas(), fleet.expected_tenant_migrations()) == []
    with connection.cursor() as cursor:
        cursor.execute('SELECT count(*) FROM "c_behind".token_blacklist_outstandingtoken')
        assert cursor.fetchone() == (0,)


def test_the_release_step_gives_a_first_deploy_its_root_domain(db, _schemas, settings):
    # given a database where the public tenant and the root domain were never created
    from tenants.models import College, Domain

    settings.PLATFORM_DOMAIN = "first-deploy.example"
    Domain.objects.filter(tenant__schema_name="public").delete()
    College.objects.filter(schema_name="public").delete()

    # when the release step runs (deploy/release.sh)
    call_command("migrate_fleet", verbosity=0)

    # then the root domain belongs to the public schema, and a second run changes nothing
    domain = Domain.objects.get(domain="first-deploy.example")
    assert domain.tenant.schema_name == "public" and domain.is_primary
    call_command("migrate_fleet", verbosity=0)
    assert Domain.objects.filter(tenant__schema_name="public").count() == 1
