"""Caches of a college's data that are never stale: every entry carries the college's *data
version*, and any committed write to the college's schema replaces that version.

Writes are noticed below the ORM, on the database connection (an execute wrapper), so a bulk
`.update()`, a `bulk_create` or raw SQL invalidates like a `save()` does; only the tables in
`IGNORED_TABLES` (bookkeeping that no cached answer shows) do not count. The new version is
published after the transaction commits (right after the write when there is none), so a
reader can never store an answer computed before the write under the version after it: readers
take the version *before* they read the database, and an entry is used only while its version is
still the current one.

Versions are random tokens, not counters: if Redis loses the version key, a new token starts and
no old entry can match it by accident. With Redis unreachable every lookup is a miss and nothing
is stored; entries also expire (`DATA_CACHE_SECONDS`), which bounds how long a write made while
Redis was unreachable could go unnoticed by an entry stored before it."""

import re
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection as default_connection
from django.db.backends.signals import connection_created
from django_tenants.utils import schema_context

VERSION_KEY = "data-version"  # the default cache prefixes every key with the schema
IGNORED_TABLES = frozenset(
    {
        "auditlog_logentry",
        "django_session",
        "outbox_outboxmessage",
        "token_blacklist_outstandingtoken",
        "token_blacklist_blacklistedtoken",
        "accounts_loginchallenge",
    }
)
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_MISSING = object()


def _timeout() -> int:
    return getattr(settings, "DATA_CACHE_SECONDS", 300)


def _new_version() -> str:
    return secrets.token_hex(8)


def publish_new_version(schema_name: str | None = None) -> None:
    """Invalidate every entry of a college (the current one by default)."""
    if schema_name is None or schema_name == default_connection.schema_name:
        cache.set(VERSION_KEY, _new_version(), None)
    else:
        with schema_context(schema_name):
            cache.set(VERSION_KEY, _new_version(), None)


class Snapshot:
    """The version and some entries, read in one round trip at the start of a request, for
    the lookups it will make (`read`, then `lookup(key, snapshot)`). It lives on the request,
    so nothing is shared between requests or colleges."""

    def __init__(self, version: str | None, entries: dict) -> None:
        self.version = version
        self.entries = entries


def read(keys: list[str]) -> Snapshot:
    found = cache.get_many([VERSION_KEY, *keys])
    return Snapshot(found.get(VERSION_KEY), {key: found.get(key) for key in keys})


def lookup(key: str, snapshot: Snapshot | None = None) -> tuple[str | None, Any]:
    """`(version, value)`: the value stored under `key` for the current version, else
    `_MISSING`. Pass the version to `store` once the value is computed."""
    if snapshot is not None and snapshot.version is not None and key in snapshot.entries:
        version, entry = snapshot.version, snapshot.entries.pop(key)  # used once
    else:
        found = cache.get_many([VERSION_KEY, key])
        version, entry = found.get(VERSION_KEY), found.get(key)
    if version is None:
        version = _new_version()
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY)  # another process started one; None: no Redis
        return version, _MISSING
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return version, entry[1]
    return version, _MISSING  # none, stale, or not an entry of this module


def store(key: str, version: str | None, value: Any) -> None:
    if version is not None:
        cache.set(key, (version, value), _timeout())


def is_missing(value: Any) -> bool:
    return value is _MISSING


def cached(key: str, compute: Callable[[], Any], snapshot: Snapshot | None = None) -> Any:
    """The value under `key` for the current version, else `compute()`'s, stored."""
    version, value = lookup(key, snapshot)
    if value is _MISSING:
        value = compute()
        store(key, version, value)
    return value


# --- noticing writes ----------------------------------------------------------------------------


def _in_real_transaction(connection) -> bool:
    """In a transaction that will commit. A test's transaction never does: writes made under
    it are published at once, as autocommit writes are."""
    return connection.in_atomic_block and not getattr(
        connection.atomic_blocks[0], "_from_testcase", False
    )


def _publish_after_commit(connection, schema_name: str) -> None:
    for _, callback, _ in connection.run_on_commit:
        if getattr(callback, "data_version_of", None) == schema_name:
            return  # already due (a rolled-back savepoint drops its callbacks, so this is safe)

    def callback() -> None:
        publish_new_version(schema_name)

    callback.data_version_of = schema_name
    connection.on_commit(callback)


def _notice_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    match = _WRITE.match(sql) if isinstance(sql, str) else None  # not psycopg2's sql.Composed
    if match is None or match.group(1) in IGNORED_TABLES:
        return result
    connection = context["connection"]
    schema_name = getattr(connection, "schema_name", None)
    if schema_name in (None, settings.PUBLIC_SCHEMA_NAME):
        return result
    if _in_real_transaction(connection):
        _publish_after_commit(connection, schema_name)
    else:
        publish_new_version(schema_name)
    return result


def install(sender, connection, **kwargs) -> None:
    if _notice_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_notice_writes)


connection_created.connect(install, dispatch_uid="core.datacache.install")
