"""Read models whose SQL is compiled once per process.

A list page costs two queries: the page's ids (the caller's scope, filters, search and order,
a cheap ORM query), then the rows of those ids through the read model: a `.values()` query with
joins and `ARRAY` subqueries whose SQL does not depend on the request. Compiling that query costs
more than running it, so it is compiled once (per database connection) and then executed with the
ids as its only changing parameter; Django's own converters turn the columns into the same values
`.values()` would give. Table names are unqualified: the connection's search_path picks the
college's schema, as for any query."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import BigIntegerField, F, QuerySet, Value

from tenant_apps.kit.expressions import AnyOf

_IDS_PLACEHOLDER = [-20_261_122]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    ids_at: int
    names: list[str]
    compiler: object
    converters: dict


class ReadModel:
    """`rows(ids)`: the `.values()` rows that `build(queryset)` selects, for `ids`, in order."""

    def __init__(self, model, build: Callable[[QuerySet], QuerySet], *, using: str = "default"):
        self.model = model
        self.build = build
        self.using = using
        self._compiled: dict[int, _Compiled] = {}

    def _compile(self) -> _Compiled:
        ids = Value(_IDS_PLACEHOLDER, output_field=ArrayField(BigIntegerField()))
        queryset = self.build(self.model._base_manager.filter(AnyOf(F("pk"), ids))).order_by()
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        (ids_at,) = [i for i, param in enumerate(params) if param == _IDS_PLACEHOLDER]
        query = queryset.query
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        return _Compiled(sql, tuple(params), ids_at, names, compiler, converters)

    def rows(self, ids: list[int]) -> list[dict]:
        if not ids:
            return []
        connection = connections[self.using]
        compiled = self._compiled.get(id(connection))
        if compiled is None:
            compiled = self._compiled[id(connection)] = self._compile()
        params = list(compiled.params)
        params[compiled.ids_at] = list(ids)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if compiled.converters:
            fetched = compiled.compiler.apply_converters(fetched, compiled.converters)
        by_id = {}
        for values in fetched:
            row = dict(zip(compiled.names, values, strict=True))
            by_id[row["id"]] = row
        return [by_id[pk] for pk in ids if pk in by_id]
