"""Queries the ORM compiles once per process, run on every request with that request's values.

Compiling a queryset into SQL (Django's `Query` → `SQLCompiler.as_sql`) costs more than
PostgreSQL spends running a primary-key lookup: on the cold path of every authenticated request
(the user and the college's settings, the data cache off or just invalidated) it was most of the
request. A `CompiledQuery` is the queryset that `build(*examples)` returns, compiled once per
database connection; each example value must reach the SQL as a parameter of its own, and is
replaced there by the value of the call. Django's own converters turn the columns into what
`.values_list()` would give. Table names are unqualified: the connection's search_path picks the
college's schema, as for any query.

    by_id = CompiledQuery(lambda pk: Skill.objects.filter(pk=pk).values_list("name"), -1)
    by_id.first(7)  # ("Python",) or None
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    positions: tuple[int, ...]  # where each example sits in `params`
    compiler: object
    converters: dict


class CompiledQuery:
    """`rows(*values)`: the rows of `build(*values)`, a `.values_list()` queryset."""

    def __init__(self, build: Callable[..., QuerySet], *examples, using: str = "default") -> None:
        self.build = build
        self.examples = examples
        self.using = using
        self._compiled: dict[int, _Compiled] = {}

    def _compile(self) -> _Compiled:
        compiler = self.build(*self.examples).query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        positions = []
        for example in self.examples:
            found = [i for i, param in enumerate(params) if param == example]
            if len(found) != 1:
                raise ValueError(f"the example {example!r} is {len(found)} parameters of {sql}")
            positions.append(found[0])
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        return _Compiled(sql, tuple(params), tuple(positions), compiler, converters)

    def rows(self, *values) -> list[tuple]:
        connection = connections[self.using]
        compiled = self._compiled.get(id(connection))
        if compiled is None:
            compiled = self._compiled[id(connection)] = self._compile()
        params = list(compiled.params)
        for position, value in zip(compiled.positions, values, strict=True):
            params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if compiled.converters:
            return [
                tuple(row)
                for row in compiled.compiler.apply_converters(fetched, compiled.converters)
            ]
        return fetched

    def first(self, *values) -> tuple | None:
        rows = self.rows(*values)
        return rows[0] if rows else None
