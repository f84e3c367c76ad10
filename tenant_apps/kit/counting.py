"""Exact counts of a big table's live rows without counting them.

A staff list's total is `COUNT(*)` of the table's live rows: 2.5 ms of PostgreSQL for 50,000
applications, growing with the college, on every cold page. The counted tables (`COUNTED`) carry
statement-level triggers (`CountLiveRows`, in their app's migrations) that insert, in the writing
transaction, one `kit_live_rows` row with how many live rows the statement added or took away
(an insert, a soft delete or a restore, a delete; a status change adds nothing). The table's
count is the sum of its rows: in any transaction's snapshot it equals `COUNT(*)`, since each
change's row commits or rolls back with the change itself. Rows are only inserted, so writers
never wait for one another; about once in 32 statements (kit/migrations/0001_initial.py) a writer
folds the rows it can lock at once (`SKIP LOCKED`: no waiting, no deadlock) into one, so a table
keeps a few.

The trigger function writes into the schema of the table it fires on (`TG_TABLE_SCHEMA`), so a
college's triggers count into that college's table whatever the search path; the schema clone
copies the function and the triggers (tenants/cloning.py). `ReadModel.page` reads the sum
instead of counting when a list's count is exactly the whole table's live rows
(`live_rows_sql`), and counts otherwise (a filter, a search, a scope narrower than the table).
"""

from django.db import migrations

# The tables whose live rows are counted by triggers (tests/tenant_apps/kit/test_counting.py
# checks that each has them in a college's schema).
COUNTED = frozenset(
    {
        "applications_application",
        "applications_offer",
        "drives_drive",
        "interviews_interview",
        "interviews_interviewslot",
        "students_student",
    }
)
TRIGGERED = ("insert", "update", "delete", "truncate")  # kit_live_rows_<operation>


class CountLiveRows(migrations.RunSQL):
    """A migration's operation: `table`'s live rows counted from now on (its current count
    first, in the migration's transaction, after the triggers hold off other writers)."""

    def __init__(self, table: str) -> None:
        if table not in COUNTED:
            raise ValueError(f"{table} is not in tenant_apps.kit.counting.COUNTED")
        # trigger names are the table's own: the same four on every counted table
        super().__init__(
            sql=[
                f'CREATE TRIGGER kit_live_rows_insert AFTER INSERT ON "{table}" '
                "REFERENCING NEW TABLE AS new_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION kit_count_live_rows()",
                f'CREATE TRIGGER kit_live_rows_update AFTER UPDATE ON "{table}" '
                "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION kit_count_live_rows()",
                f'CREATE TRIGGER kit_live_rows_delete AFTER DELETE ON "{table}" '
                "REFERENCING OLD TABLE AS old_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION kit_count_live_rows()",
                f'CREATE TRIGGER kit_live_rows_truncate AFTER TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION kit_count_live_rows()",
                ("DELETE FROM kit_live_rows WHERE table_name = %s", [table]),
                (
                    "INSERT INTO kit_live_rows (table_name, live) "  # noqa: S608 (a COUNTED name)
                    f'SELECT %s, count(*) FROM "{table}" WHERE deleted_at IS NULL',
                    [table],
                ),
            ],
            reverse_sql=[
                *(f'DROP TRIGGER kit_live_rows_{op} ON "{table}"' for op in TRIGGERED),
                ("DELETE FROM kit_live_rows WHERE table_name = %s", [table]),
            ],
        )
        self.table = table

    def deconstruct(self):
        return self.__class__.__name__, [self.table], {}

    def describe(self) -> str:
        return f"Count the live rows of {self.table}"


def live_rows_sql(table: str) -> tuple[str, tuple]:
    """A subquery of `table`'s count of live rows, and its parameter."""
    # SUM of bigints is a numeric: cast back, a total is a whole number in the JSON
    sql = "(SELECT COALESCE(SUM(live), 0)::bigint FROM kit_live_rows WHERE table_name = %s)"
    return sql, (table,)
