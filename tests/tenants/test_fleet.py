"""Fleet migrations: which college schemas are behind, found in one query."""

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg2 import sql

from tenants import fleet
from tenants.models import SchemaMigrations


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


def _break_token_blacklist(schema: str) -> None:
    """`schema` loses an app (its tables and migration records), as if it were never migrated."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL(
                "DROP TABLE {s}.token_blacklist_blacklistedtoken, "
                "{s}.token_blacklist_outstandingtoken"
            ).format(s=sql.Identifier(schema))
        )
        cursor.execute(
            sql.SQL("DELETE FROM {}.django_migrations WHERE app = 'token_blacklist'").format(
                sql.Identifier(schema)
            )
        )


def test_a_current_fleet_is_checked_in_one_query_of_the_markers(college, other_college):
    schemas = fleet.fleet_schemas()

    with CaptureQueriesContext(connection) as queries:
        behind = fleet.fleet_behind(schemas)

    assert behind == []
    assert len([q for q in queries.captured_queries if "search_path" not in q["sql"]]) == 1
    assert (
        SchemaMigrations.objects.filter(
            schema_name__in=[college.schema_name, "template_college"],
            digest=fleet.expected_digest(),
        ).count()
        == 2
    )


def test_migrate_fleet_brings_a_schema_missing_a_migration_up_to_date(db, _schemas, capsys):
    # given a college whose schema lacks an app's migrations, its marker at that older state
    from tenants.services import college_ensure

    college_ensure(subdomain="behind", name="Behind College")
    _break_token_blacklist("c_behind")
    older = [m for m in fleet.expected_tenant_migrations() if not m.startswith("token_blacklist")]
    SchemaMigrations.objects.filter(schema_name="c_behind").update(
        digest=fleet.migrations_digest(older)
    )
    assert fleet.fleet_behind(fleet.fleet_schemas(), mark=False) == ["c_behind"]

    # when
    call_command("migrate_fleet", "--executor", "standard", verbosity=0)

    # then only that schema was migrated, it is whole again and marked current
    assert "1 of" in capsys.readouterr().out
    assert fleet.schemas_behind(fleet.fleet_schemas(), fleet.expected_tenant_migrations()) == []
    with connection.cursor() as cursor:
        cursor.execute('SELECT count(*) FROM "c_behind".token_blacklist_outstandingtoken')
        assert cursor.fetchone() == (0,)
    assert fleet.schemas_unmarked(fleet.fleet_schemas()) == []


def test_an_unmarked_schema_is_checked_in_its_own_table_and_migrated_if_behind(
    db, _schemas, capsys
):
    # given two colleges without markers (a first deploy of the markers): one current, one not
    from tenants.services import college_ensure

    college_ensure(subdomain="unmarked", name="Unmarked College")
    college_ensure(subdomain="unmarked-late", name="Unmarked Late College")
    _break_token_blacklist("c_unmarked_late")
    SchemaMigrations.objects.filter(schema_name__startswith="c_unmarked").delete()

    # when
    call_command("migrate_fleet", "--executor", "standard", verbosity=0)

    # then the behind one was migrated, and both are marked
    assert "1 of" in capsys.readouterr().out
    assert fleet.schemas_behind(["c_unmarked_late"], fleet.expected_tenant_migrations()) == []
    assert fleet.schemas_unmarked(["c_unmarked", "c_unmarked_late"]) == []


def test_a_new_migration_makes_every_schema_pending(college, other_college, monkeypatch, capsys):
    # given the code gains a tenant migration that no schema has applied
    expected = [*fleet.expected_tenant_migrations(), "companies.9999_a_new_migration"]
    monkeypatch.setattr(fleet, "expected_tenant_migrations", lambda: expected)
    monkeypatch.setattr(fleet, "expected_digest", lambda: fleet.migrations_digest(expected))
    schemas = fleet.fleet_schemas()

    # then every schema is pending, the template first
    assert fleet.schemas_unmarked(schemas) == schemas
    call_command("migrate_fleet", "--check")
    assert f"{len(schemas)} of {len(schemas)} college schemas behind" in capsys.readouterr().out


def test_verify_reads_every_schema_and_finds_one_changed_by_hand(db, _schemas, capsys):
    # given a schema whose marker says current, but whose tables lost an app by hand
    from tenants.services import college_ensure

    college_ensure(subdomain="by-hand", name="By Hand College")
    _break_token_blacklist("c_by_hand")
    assert "c_by_hand" not in fleet.fleet_behind(fleet.fleet_schemas(), mark=False)

    # when
    call_command("migrate_fleet", "--verify", "--executor", "standard", verbosity=0)

    # then it was migrated
    assert "1 of" in capsys.readouterr().out
    assert fleet.schemas_behind(["c_by_hand"], fleet.expected_tenant_migrations()) == []


def test_a_clone_carries_the_templates_marker_and_a_purge_drops_it(db, _schemas):
    from tenants.lifecycle import college_cancel
    from tenants.services import college_ensure

    college, _ = college_ensure(subdomain="marked", name="Marked College")
    marker = SchemaMigrations.objects.get(schema_name="c_marked")
    assert marker.digest == SchemaMigrations.objects.get(schema_name="template_college").digest

    college_cancel(college=college, immediately=True)

    assert not SchemaMigrations.objects.filter(schema_name="c_marked").exists()


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
