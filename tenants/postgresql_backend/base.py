"""django-tenants' backend that sends `SET search_path` only when the path changes, with a bound
on what one connection caches of the catalog.

django-tenants forgets the path it set whenever a schema is selected (`set_tenant`), and every
request selects one (the public schema, then the college): so every request that touched the
database sent a `SET search_path`, a round trip, although a worker's persistent connection
serves the same college again and again. This backend remembers the path the server session
holds (`search_path_on_server`) and skips the statement while the selection asks for that same
path. It forgets it wherever the server may have dropped it: a new connection, `close()`, and a
ROLLBACK or ROLLBACK TO SAVEPOINT (a `SET` is transactional: the rollback of the transaction
that sent it reverts it). A `SET LOCAL` ends with its transaction, so it leaves the session's path
in place once the transaction is over, but not inside it: code that sends a `SET search_path`
itself (or a `SET LOCAL` that may run inside an outer transaction) calls `forget_search_path()`
after it.

PostgreSQL keeps, per connection, the catalog entries (relation cache, plans) of every table it
has touched, for the life of the connection: a persistent connection that serves every college
ends up holding the catalog of the whole fleet (measured: 244 MB after 1,001 colleges). This
backend counts the distinct schemas a connection has served and, between requests (or Celery
tasks), closes a connection past `TENANT_CONNECTION_MAX_SCHEMAS`; the next request opens a
fresh one. Optionally (`TENANT_CONNECTION_MAX_MB`), every `TENANT_CONNECTION_MEMORY_CHECK_EVERY`
requests it also reads the backend's memory from `pg_backend_memory_contexts` (superuser only on
PostgreSQL 15) and closes the connection past the bound. See docs/scaling.md.

Closing happens only where Django itself may close a persistent connection
(`close_if_unusable_or_obsolete`, called at the start and end of every request and task), never
inside a transaction, so no request loses its connection mid-way.

Each connection also holds the statements `core/prepared.py` prepared on its server session.

The health check at the start of a request (`CONN_HEALTH_CHECKS`) sends Django's `SELECT 1` (a
round trip, 64 µs here, on every request that reads the database) only when the connection may
have been lost. An idle connection whose socket has nothing to read is alive as far as a round
trip could tell: a server that ends a session (a restart, `pg_terminate_backend`, an idle
timeout) sends its FATAL message and closes the socket, which makes it readable.
"""

import logging
import select

import psycopg2
from django.conf import settings
from django_tenants.postgresql_backend import base as tenant_backend
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from core.prepared import Statements

logger = logging.getLogger("placemate.tenancy")


def catalog_bound_passed(connection) -> str:
    """Why `connection` has cached enough of the catalog to be replaced ("" if it has not)."""
    limit = getattr(settings, "TENANT_CONNECTION_MAX_SCHEMAS", 0)
    if limit and len(connection.schemas_served) >= limit:
        return f"served {len(connection.schemas_served)} schemas"
    megabytes = getattr(settings, "TENANT_CONNECTION_MAX_MB", 0)
    every = max(getattr(settings, "TENANT_CONNECTION_MEMORY_CHECK_EVERY", 50), 1)
    if megabytes and connection.memory_checks_enabled:
        connection.checks_since_memory += 1
        if connection.checks_since_memory >= every:
            connection.checks_since_memory = 0
            used = backend_memory_mb(connection)
            if used is not None and used >= megabytes:
                return f"holds {used:.0f} MB"
    return ""


def backend_memory_mb(connection) -> float | None:
    """The memory of `connection`'s server process, or None where the view is not readable."""
    try:
        with connection.connection.cursor() as cursor:  # raw: no search_path, no query log
            cursor.execute("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")
            (total,) = cursor.fetchone()
    except psycopg2.Error as exc:  # permission denied (not a superuser): stop asking
        logger.warning("connection memory unreadable (%s); bound by schemas only", exc)
        connection.memory_checks_enabled = False
        return None
    return total / 2**20


class DatabaseWrapper(tenant_backend.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        self.search_path_on_server: list[str] | None = None
        self.schemas_served: set[str] = set()
        self.checks_since_memory = 0
        self.memory_checks_enabled = True
        self.recycled = 0  # connections this wrapper replaced for the bound (observability)
        self.prepared_statements: Statements | None = None  # core/prepared.py
        super().__init__(*args, **kwargs)

    def connect(self):
        self.search_path_on_server = None
        super().connect()
        self.prepared_statements = Statements()  # a new server session has none
        self.schemas_served = set()
        self.checks_since_memory = 0

    def forget_search_path(self) -> None:
        """The session's search_path is unknown: the next cursor sends it again."""
        self.search_path_on_server = None
        self.search_path_set_schemas = None

    def close(self):
        self.search_path_on_server = None
        super().close()

    def close_if_health_check_failed(self):
        if self.health_check_enabled and not self.health_check_done and self._quiet():
            self.health_check_done = True  # nothing to read: no round trip needed
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        """Whether the connection is open, idle and has nothing from the server waiting."""
        raw = self.connection
        if raw is None or raw.closed or raw.info.transaction_status != TRANSACTION_STATUS_IDLE:
            return False
        try:
            poller = select.poll()
            poller.register(raw.fileno(), select.POLLIN)
            return not poller.poll(0)
        except (OSError, ValueError, psycopg2.Error):
            return False

    def rollback(self):
        self.search_path_on_server = None
        super().rollback()

    def savepoint_rollback(self, sid):
        try:
            super().savepoint_rollback(sid)
        finally:  # as django-tenants': after the rollback, which itself takes a cursor
            self.search_path_on_server = None

    def _handle_search_path(self, cursor=None):
        if (
            self.search_path_set_schemas is None
            and self.search_path_on_server is not None
            and self.schema_name
            and not self._setting_search_path
            and self._get_cursor_search_paths() == self.search_path_on_server
        ):
            self.search_path_set_schemas = self.search_path_on_server  # unchanged: not sent
            return
        super()._handle_search_path(cursor)
        self.search_path_on_server = self.search_path_set_schemas
        if self.search_path_set_schemas:
            self.schemas_served.add(self.schema_name)

    def close_if_unusable_or_obsolete(self):
        super().close_if_unusable_or_obsolete()
        if self.connection is None or self.in_atomic_block:
            return
        reason = catalog_bound_passed(self)
        if reason:
            logger.info("database connection replaced: it %s", reason)
            self.recycled += 1
            self.close()
