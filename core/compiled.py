"""Queries the ORM compiles once per process, run on every request with that request's values.

Compiling a queryset into SQL (Django's `Query` → `SQLCompiler.as_sql`) costs more than
PostgreSQL spends running a primary-key lookup: on the cold path of every authenticated request
(the user and the college's settings, the data cache off or just invalidated) it was most of the
request. A `CompiledQuery` is the queryset that `build(*examples)` returns, compiled once per
database connection; each example value must reach the SQL as a parameter of its own, and is
replaced there by the value of the call. Django's own converters turn the columns into what
`.values_list()` would give. Table names are unqualified: the connection's search_path picks the
college's schema, as for any query. The lists' read models (`tenant_apps/kit/readmodel.py`) are
compiled queries of their ids. A compiled query runs as a prepared statement from its second use
on a connection (`core/prepared.py`): the server does not parse and plan it again either.

JSON columns (and arrays of JSON, the read models' `ARRAY` subqueries of objects) are decoded by
orjson instead of the standard library's json: what Django's `JSONField.from_db_value` does, five
times faster, a hundred times a list page (`json_value`); what orjson refuses (an integer beyond
64 bits, a lone surrogate) is decoded by json as Django decodes it.

    by_id = CompiledQuery(lambda pk: Skill.objects.filter(pk=pk).values_list("name"), -1)
    by_id.first(7)  # ("Python",) or None
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import JSONField, QuerySet

from core import prepared


@dataclass(frozen=True)
class Compiled:
    """A queryset's SQL and what running it again needs."""

    sql: str
    params: tuple
    positions: tuple[int, ...]  # where each example sits in `params`
    names: tuple[str, ...]  # the selected columns, named as `.values()` names them
    compiler: object
    converters: dict

    def bind(self, values) -> list:
        """`params` with `values` in the examples' places."""
        params = list(self.params)
        for position, value in zip(self.positions, values, strict=True):
            params[position] = value
        return params

    def convert(self, fetched: list) -> list:
        """Fetched rows through Django's converters (rows may end with columns of their own)."""
        if not self.converters:
            return fetched
        return list(self.compiler.apply_converters(fetched, self.converters))


class CompiledQuery:
    """`rows(*values)`: the rows of `build(*values)`, a `.values()` or `.values_list()`
    queryset, as tuples."""

    def __init__(self, build: Callable[..., QuerySet], *examples, using: str = "default") -> None:
        self.build = build
        self.examples = examples
        self.using = using
        self._compiled: dict[int, Compiled] = {}

    def _compile(self) -> Compiled:
        query = self.build(*self.examples).query
        compiler = query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        positions = []
        for example in self.examples:
            found = [i for i, param in enumerate(params) if param == example]
            if len(found) != 1:
                raise ValueError(f"the example {example!r} is {len(found)} parameters of {sql}")
            positions.append(found[0])
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        converters = {
            index: ([_faster(converter) for converter in functions], expression)
            for index, (functions, expression) in converters.items()
        }
        return Compiled(sql, tuple(params), tuple(positions), names, compiler, converters)

    def compiled(self) -> Compiled:
        """The statement for the current connection, compiled on its first use."""
        key = id(connections[self.using])
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile()
        return compiled

    def rows(self, *values) -> list[tuple]:
        compiled = self.compiled()
        with connections[self.using].cursor() as cursor:
            prepared.execute(cursor, compiled.sql, compiled.bind(values))
            fetched = cursor.fetchall()
        return [tuple(row) for row in compiled.convert(fetched)]

    def first(self, *values) -> tuple | None:
        rows = self.rows(*values)
        return rows[0] if rows else None


def json_value(value, expression, connection):
    """`JSONField.from_db_value` (no custom decoder) with orjson."""
    if not isinstance(value, str):  # None, or what the driver decoded itself
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value


def json_values(value, expression, connection):
    """`ArrayField(JSONField()).from_db_value` with orjson."""
    if value is None:
        return value
    return [json_value(item, expression, connection) for item in value]


def _plain_json(field) -> bool:
    return isinstance(field, JSONField) and field.decoder is None


def _faster(converter):
    """`converter`, or the same decoding by orjson for a plain JSON field or array of them."""
    function, field = getattr(converter, "__func__", None), getattr(converter, "__self__", None)
    if function is JSONField.from_db_value and _plain_json(field):
        return json_value
    if function is ArrayField._from_db_value and _plain_json(field.base_field):
        return json_values
    return converter
