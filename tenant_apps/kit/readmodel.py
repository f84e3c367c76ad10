"""Read models whose SQL is compiled once per process.

A list page is the page's ids (the caller's scope, filters, search and order, a cheap ORM query)
and the rows of those ids through the read model: a `.values()` query with joins and `ARRAY`
subqueries whose SQL does not depend on the request. Compiling that query costs more than running
it, so it is compiled once per database connection (`core/compiled.py`) and then executed with the
ids as its only changing parameter; Django's own converters turn the columns into the same values
`.values()` would give. Table names are unqualified: the connection's search_path picks the
college's schema, as for any query.

`page()` sends the total, the page's ids and their rows as ONE statement (the ids and the count
in a CTE, the read model's SQL reading the ids from it): a cold list page was three round trips
to PostgreSQL, and on a busy machine each round trip waits for a CPU twice (the database's and
then the worker's), which cost more than the statements themselves. The statement is the same SQL
for every request of the same list, filters and page size, so from its second run on a connection
it is a prepared statement (`core/prepared.py`), parsed and planned once.

A total that is the whole table's live rows (a staff list without filter or search) is read from
the table's live-row count (counting.py) instead of counted, when the table has one."""

import re
from collections.abc import Callable

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BigIntegerField, F, QuerySet, Value

from core import prepared
from core.compiled import Compiled, CompiledQuery
from tenant_apps.kit.counting import COUNTED, live_rows_sql
from tenant_apps.kit.expressions import AnyOf

_IDS_PLACEHOLDER = [-20_261_122]
_PLACEHOLDER = re.compile(r"%[%s]")  # a parameter (%s), or a literal percent sign (%%)


class ReadModel:
    """`rows(ids)`: the `.values()` rows that `build(queryset)` selects, for `ids`, in order."""

    def __init__(self, model, build: Callable[[QuerySet], QuerySet], *, using: str = "default"):
        self.model = model
        self.build = build
        self.using = using
        # compiled once per connection (core/compiled.py), the ids its one changing parameter
        self.query = CompiledQuery(self._of_ids, _IDS_PLACEHOLDER, using=using)
        self._pages: dict[int, tuple[str, tuple]] = {}  # id(compiled) -> page's SQL and params
        # the whole table's live rows, which a list's count is compared with
        self.whole_table = CompiledQuery(self._live_ids, using=using)

    def _of_ids(self, ids: list[int]) -> QuerySet:
        array = Value(ids, output_field=ArrayField(BigIntegerField()))
        return self.build(self.model._base_manager.filter(AnyOf(F("pk"), array))).order_by()

    def _page_statement(self, compiled: Compiled) -> tuple[str, tuple]:
        """The read model's SQL reading its ids from the CTE of `page`, and its parameters."""
        statement = self._pages.get(id(compiled))
        if statement is None:
            (ids_at,) = compiled.positions
            statement = self._pages[id(compiled)] = (
                _replace_parameter(compiled.sql, ids_at, "(SELECT ids FROM readmodel_page)"),
                (*compiled.params[:ids_at], *compiled.params[ids_at + 1 :]),
            )
        return statement

    def _live_ids(self) -> QuerySet:
        return _ids_to_count(self.model._base_manager.filter(deleted_at__isnull=True))

    def _total(self, count_query) -> tuple[str, tuple]:
        """The SQL of the count of `count_query` (a subquery of the rows' ids), and its
        parameters: the table's live-row count when those ids are exactly its live rows."""
        count_sql, count_params = count_query.get_compiler(using=self.using).as_sql()
        table = self.model._meta.db_table
        if table in COUNTED:
            whole = self.whole_table.compiled()
            if (count_sql, tuple(count_params)) == (whole.sql, whole.params):
                return live_rows_sql(table)
        return f'(SELECT COUNT(*) FROM ({count_sql}) AS "counted")', tuple(count_params)  # noqa: S608

    def count(self, queryset: QuerySet) -> int:
        """How many rows `queryset` (the caller's scope, filtered) has."""
        try:
            total_sql, total_params = self._total(_ids_to_count(queryset).query)
        except EmptyResultSet:  # a scope of none (`.none()`)
            return 0
        with connections[self.using].cursor() as cursor:
            prepared.execute(cursor, f"SELECT {total_sql}", total_params)
            return cursor.fetchone()[0]

    def rows(self, ids: list[int]) -> list[dict]:
        if not ids:
            return []
        return _in_order(self.query.compiled().names, self.query.rows(list(ids)), ids)

    def page(self, queryset: QuerySet, offset: int, limit: int) -> tuple[int, list[dict]]:
        """`(total, rows)`: how many rows `queryset` (the caller's scope, filtered and ordered)
        has, and the read model's rows of its ids `[offset:offset + limit]`, in its order; one
        statement. The count and the ids are compiled by the ORM as `count()` and a slice of
        `values_list("pk")` would be, and planned apart (the count without the ORDER BY)."""
        compiled = self.query.compiled()
        page_sql, page_params = self._page_statement(compiled)
        ids_query = queryset.values_list("pk", flat=True)[offset : offset + limit].query
        # as a subquery: a DISTINCT ordered by other columns still selects only the ids
        ids_query.subquery = True
        try:
            ids_sql, ids_params = ids_query.get_compiler(using=self.using).as_sql()
            total_sql, total_params = self._total(_ids_to_count(queryset).query)
        except EmptyResultSet:  # a scope of none (`.none()`)
            return 0, []
        # SQL compiled by the ORM, the request's values as parameters; the CTE's names are
        # unquoted, not to be taken for tables (tests/core/test_datacache.py reads the FROMs),
        # as is kit_live_rows, written with the table it counts
        sql = (
            f"WITH readmodel_page AS MATERIALIZED (SELECT ARRAY({ids_sql}) AS ids, "  # noqa: S608
            f"{total_sql} AS total) "
            f"SELECT readmodel_rows.*, readmodel_page.total, readmodel_page.ids "
            f"FROM readmodel_page LEFT JOIN ({page_sql}) AS readmodel_rows ON TRUE"
        )
        with connections[self.using].cursor() as cursor:
            prepared.execute(cursor, sql, (*ids_params, *total_params, *page_params))
            fetched = cursor.fetchall()
        width = len(compiled.names)
        total, ids = fetched[0][width], fetched[0][width + 1]
        if not ids:
            return total, []
        rows = [values[:width] for values in compiled.convert(fetched)]
        return total, _in_order(compiled.names, rows, ids)


def _ids_to_count(queryset: QuerySet) -> QuerySet:
    """The ids whose number is `queryset`'s count, compiled as the count's subquery."""
    ids = queryset.order_by().values("pk")
    ids.query.subquery = True
    return ids


def _in_order(names: tuple[str, ...], fetched: list, ids: list[int]) -> list[dict]:
    """The fetched rows as dicts, in the order of `ids` (an id without a row left out)."""
    by_id = {}
    for values in fetched:
        row = dict(zip(names, values, strict=True))
        by_id[row["id"]] = row
    return [by_id[pk] for pk in ids if pk in by_id]


def _replace_parameter(sql: str, index: int, replacement: str) -> str:
    """`sql` with its `index`-th parameter placeholder replaced by the SQL `replacement`."""
    placeholders = [m for m in _PLACEHOLDER.finditer(sql) if m.group() == "%s"]
    at = placeholders[index]
    return sql[: at.start()] + replacement + sql[at.end() :]
