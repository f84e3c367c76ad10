from django.db import migrations, models

FUNCTION = """
CREATE FUNCTION kit_count_live_rows() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    delta bigint := 0;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('DELETE FROM %I.kit_live_rows WHERE table_name = $1', TG_TABLE_SCHEMA)
            USING TG_TABLE_NAME;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT delta + count(*) INTO delta FROM new_rows WHERE deleted_at IS NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        SELECT delta - count(*) INTO delta FROM old_rows WHERE deleted_at IS NULL;
    END IF;
    IF delta = 0 THEN
        RETURN NULL;
    END IF;
    EXECUTE format('INSERT INTO %I.kit_live_rows (table_name, live) VALUES ($1, $2)',
                   TG_TABLE_SCHEMA) USING TG_TABLE_NAME, delta;
    IF random() * 32 < 1 THEN
        EXECUTE format(
            'WITH gone AS (DELETE FROM %1$I.kit_live_rows WHERE id IN ('
            '    SELECT id FROM %1$I.kit_live_rows WHERE table_name = $1'
            '    FOR UPDATE SKIP LOCKED) RETURNING live) '
            'INSERT INTO %1$I.kit_live_rows (table_name, live) '
            'SELECT $1, sum(live) FROM gone HAVING count(*) > 0', TG_TABLE_SCHEMA)
            USING TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END
$body$
"""


class Migration(migrations.Migration):
    """The live-row counts' table and the trigger function that writes it (counting.py)."""

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="LiveRows",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("table_name", models.CharField(max_length=63)),
                ("live", models.BigIntegerField()),
            ],
            options={
                "db_table": "kit_live_rows",
                "indexes": [models.Index(fields=["table_name"], name="kit_live_rows_table_idx")],
            },
        ),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION kit_count_live_rows()"),
    ]
