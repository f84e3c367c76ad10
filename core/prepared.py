"""Statements a connection runs again and again, prepared on it once.

A list page's statement (the count, the page's ids and the read model's joins and `ARRAY`
subqueries, `tenant_apps/kit/readmodel.py`) is the same SQL on every request with other values:
PostgreSQL parsed, analysed and planned it each time, nearly as long as it ran (a student's open
drives: 0.9 ms of planning for 1.4 ms of execution; docs/speed.md, the fifth pass).
`execute(cursor, sql, params)` runs such a statement plainly the first time a connection sees
its SQL, `PREPARE`s it the second time and then sends `EXECUTE name(values)`: the server keeps
the parsed statement, and after five executions may keep a generic plan too when it is no worse
than the custom ones.

One prepared statement serves every college: its tables are unqualified and PostgreSQL parses
it again when the search_path differs from the one it was prepared under (and whenever a table
it reads changes), so each college's EXECUTE reads that college's schema.

- Per connection (`connection.prepared_statements`, made new with every connection): the SQL
  seen, the names of those prepared, in least-recently-used order; past `LIMIT` the oldest is
  deallocated (with the next PREPARE, in the same round trip), which bounds the server's memory
  for them (docs/scaling.md).
- PREPARE and DEALLOCATE go on the driver's own cursor, outside Django's query log and execute
  wrappers (they read nothing): a page prepared costs the same queries as a page not prepared.
  The EXECUTE goes through Django's cursor like any statement.
- PREPARE and DEALLOCATE are not transactional; inside a transaction the PREPARE runs under a
  savepoint of its own, so a statement PostgreSQL cannot prepare (a parameter whose type it
  cannot infer, `SELECT %s IS NULL`) leaves the transaction as it was. Such SQL is remembered
  and runs plainly from then on.
- "cached plan must not change result type" (a table gained or lost a column since the PREPARE,
  a migration) forgets the statement: outside a transaction it runs again plainly at once, inside
  one the error is raised as the plain statement would raise one, and the next sighting prepares
  it afresh.
- `DATABASE_PREPARED_STATEMENTS=false` turns it off: a pooler in transaction mode (PgBouncer
  before 1.21) may hand each statement to another server connection, where the name is unknown.
"""

import itertools
import re
from collections import OrderedDict

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from psycopg2.extensions import TRANSACTION_STATUS_INERROR

LIMIT = 64  # prepared statements per connection: ~140 KB of plans each (docs/scaling.md)
_PLACEHOLDER = re.compile(r"%[%s]")  # a parameter, or a literal percent sign
_RESULT_TYPE_CHANGED = "0A000"  # feature_not_supported: "cached plan must not change result type"
_SAVEPOINT = "placemate_prepare"


class Statements:
    """What one connection has seen and prepared."""

    def __init__(self) -> None:
        self.seen: OrderedDict[str, None] = OrderedDict()  # SQL run once, not prepared
        self.names: OrderedDict[str, str] = OrderedDict()  # SQL -> name, least recently used first
        self.unpreparable: set[str] = set()
        self.prepared = 0  # how many were prepared, which numbers the next one's name
        self.stale: list[str] = []  # names to deallocate with the next PREPARE

    def forget(self, sql: str) -> None:
        """`sql`'s statement is to be deallocated; its SQL counts as seen once."""
        self.stale.append(self.names.pop(sql))
        self.seen[sql] = None


def execute(cursor, sql: str, params) -> None:
    """`cursor.execute(sql, params)` (a Django cursor), as a prepared statement from the second
    time its connection sees `sql`."""
    statements = getattr(cursor.db, "prepared_statements", None)
    if statements is None or not settings.DATABASE_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    name = statements.names.get(sql)
    if name is not None:
        statements.names.move_to_end(sql)
    elif sql in statements.seen:
        del statements.seen[sql]
        name = _prepare(cursor, statements, sql)
    if name is None:  # seen for the first time, or PostgreSQL cannot prepare it
        if sql not in statements.unpreparable:
            statements.seen[sql] = None
            if len(statements.seen) > 4 * LIMIT:  # run once long ago: forgotten
                statements.seen.popitem(last=False)
        cursor.execute(sql, params)
        return
    values = ", ".join(["%s"] * len(params))
    try:
        cursor.execute(f"EXECUTE {name}({values})" if params else f"EXECUTE {name}", params)
    except DatabaseError as exc:
        if getattr(exc.__cause__, "pgcode", None) != _RESULT_TYPE_CHANGED:
            raise
        statements.forget(sql)
        if not cursor.db.autocommit:  # the transaction is aborted, as by the plain statement
            raise
        cursor.execute(sql, params)


def _prepare(cursor, statements: Statements, sql: str) -> str | None:
    """The name `sql` is now prepared under on `cursor`'s connection (None: not now, or it
    cannot be)."""
    cursor.db.validate_no_broken_transaction()  # Django's error, as for the plain statement
    if cursor.cursor.connection.info.transaction_status == TRANSACTION_STATUS_INERROR:
        return None  # an aborted transaction: the plain statement says so, and it stays seen
    while len(statements.names) >= LIMIT:
        statements.stale.append(statements.names.popitem(last=False)[1])
    name = f"placemate_{statements.prepared + 1}"
    text = "".join(f"DEALLOCATE {stale}; " for stale in statements.stale)
    text += f"PREPARE {name} AS {_numbered(sql)}"
    atomic = not cursor.db.autocommit  # in a transaction
    if atomic:
        text = f"SAVEPOINT {_SAVEPOINT}; {text}; RELEASE SAVEPOINT {_SAVEPOINT}"
    raw = cursor.cursor  # the driver's cursor: out of the query log and the execute wrappers
    try:
        with cursor.db.wrap_database_errors:  # Django's errors, as for any statement
            raw.execute(text)
    except (OperationalError, InterfaceError):  # the connection or the server, not the SQL
        statements.stale = []  # perhaps deallocated already: never named again, at worst kept
        raise
    except DatabaseError:  # PostgreSQL cannot prepare this SQL (a parameter of unknown type)
        statements.stale = []  # deallocated before the PREPARE failed: not transactional
        if atomic:
            with cursor.db.wrap_database_errors:
                raw.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}; RELEASE SAVEPOINT {_SAVEPOINT}")
        statements.unpreparable.add(sql)
        return None
    statements.stale = []
    statements.prepared += 1
    statements.names[sql] = name
    return name


def _numbered(sql: str) -> str:
    """`sql` with its `%s` parameters numbered as PostgreSQL's ($1, $2...) and `%%` as `%`."""
    counter = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(counter)}", sql)
