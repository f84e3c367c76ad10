"""The schema clone is the template, object for object, under the same names."""

from django.db import connection, transaction

from tenants.cloning import clone_schema


def structure(schema: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name, data_type, is_nullable, is_identity,
                   column_default IS NOT NULL
            FROM information_schema.columns WHERE table_schema = %s
            ORDER BY table_name, column_name
            """,
            [schema],
        )
        columns = cursor.fetchall()
        cursor.execute(
            """
            SELECT c.relname, k.conname, k.contype,
                   replace(pg_get_constraintdef(k.oid), %s, 'X.')
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s ORDER BY 1, 2
            """,
            [f"{schema}.", schema],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, replace(indexdef, %s, 'X.') FROM pg_indexes "
            "WHERE schemaname = %s ORDER BY 1",
            [f"{schema}.", schema],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, g.tgname, replace(pg_get_triggerdef(g.oid), %s, 'X.') "
            "FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND NOT g.tgisinternal ORDER BY 1, 2",
            [f"{schema}.", schema],
        )
        triggers = cursor.fetchall()
        cursor.execute(
            "SELECT p.proname, replace(pg_get_functiondef(p.oid), %s, 'X.') "
            "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = %s ORDER BY 1",
            [f"{schema}.", schema],
        )
        functions = cursor.fetchall()
        return {
            "columns": columns,
            "constraints": constraints,
            "indexes": indexes,
            "triggers": triggers,
            "functions": functions,
        }


def rows(schema: str, table: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{schema}"."{table}" ORDER BY 1')  # noqa: S608
        return cursor.fetchall()


def test_a_clone_has_the_templates_tables_columns_constraints_indexes_and_rows(db, _schemas):
    with transaction.atomic():
        clone_schema("template_college", "c_clone_probe")

    template, clone = structure("template_college"), structure("c_clone_probe")

    assert clone == template
    assert len(template["constraints"]) > 50 and len(template["indexes"]) > 50
    assert len(template["triggers"]) >= 4 and template["functions"]  # the live-row counts
    assert rows("c_clone_probe", "django_migrations") == rows(
        "template_college", "django_migrations"
    )
    assert rows("c_clone_probe", "django_content_type") == rows(
        "template_college", "django_content_type"
    )


def test_identities_continue_after_the_copied_rows(db, _schemas):
    with transaction.atomic():
        clone_schema("template_college", "c_clone_probe")

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM c_clone_probe.django_content_type")
        (last,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO c_clone_probe.django_content_type (app_label, model) "
            "VALUES ('probe', 'probe') RETURNING id"
        )
        (new,) = cursor.fetchone()

    assert new == last + 1
