"""Caches of a college's data that are never stale: every entry carries the *data versions* of
what it depends on, and any committed write to the college's schema replaces the versions of
what it touched.

An entry depends on tables (`tables=`: the entry of a students list on the students, users and
skills tables...), or, without `tables`, on every write to the college. A write replaces the
version of each table it touches and the college-wide one, so a sign-in (the user's
`last_login`) or an application leaves a students list in place and a change to a student drops
it. A resource may be narrower than a table: an UPDATE that sets only the columns of
`COLUMN_RESOURCES` (a user's `last_login`, which no cached answer shows) replaces the version of
`table.column`, not the table's.

Writes are noticed below the ORM, on the database connection (an execute wrapper), so a bulk
`.update()`, a `bulk_create` or raw SQL invalidates like a `save()` does; only the tables in
`IGNORED_TABLES` (bookkeeping that no cached answer shows) do not count. The new versions are
published after the transaction commits (right after the write when there is none), so a
reader can never store an answer computed before the write under the versions after it: readers
take the versions *before* they read the database, and an entry is used only while its versions
are still the current ones.

Versions are random tokens, not counters: if Redis loses the version key, a new token starts and
no old entry can match it by accident. With Redis unreachable every lookup is a miss and nothing
is stored; entries also expire (`DATA_CACHE_SECONDS`), which bounds how long a write made while
Redis was unreachable could go unnoticed by an entry stored before it.

The cache is off (no lookup, nothing stored; writes still publish their versions) with
`DATA_CACHE_SECONDS=0`, and on the public schema, whose writes publish nothing: an operator's
deactivation must be seen at once there too."""

import re
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection as default_connection
from django.db.backends.signals import connection_created
from django_tenants.utils import schema_context
from redis.exceptions import RedisError

VERSION_KEY = "data-version"  # any write; the default cache prefixes every key with the schema
# UPDATEs that set only these columns of a table count as a write to `table.column` alone.
COLUMN_RESOURCES = {"accounts_user": frozenset({"last_login"})}
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
_SET_COLUMNS = re.compile(r'\s*UPDATE\s+"?\w+"?\s+SET\s+(.*?)\s+WHERE\s', re.IGNORECASE | re.DOTALL)
_ASSIGNED = re.compile(r'"?(\w+)"?\s*=')
_MISSING = object()


def _timeout() -> int:
    return getattr(settings, "DATA_CACHE_SECONDS", 300)


def enabled() -> bool:
    """Whether lookups may use the cache here (see the module's docstring)."""
    return _timeout() > 0 and default_connection.schema_name != settings.PUBLIC_SCHEMA_NAME


def _new_version() -> str:
    return secrets.token_hex(8)


def table_version_key(resource: str) -> str:
    return f"{VERSION_KEY}:{resource}"


def version_keys(tables) -> list[str]:
    """The version keys an entry depending on `tables` (None: on every write) is checked with."""
    if tables is None:
        return [VERSION_KEY]
    return [table_version_key(table) for table in tables]


def publish_new_version(schema_name: str | None = None, tables=()) -> None:
    """Invalidate the entries of a college (the current one by default) that depend on
    `tables`, and those that depend on every write."""
    versions = {VERSION_KEY: _new_version()}
    versions.update((table_version_key(table), _new_version()) for table in tables)
    if schema_name is None or schema_name == default_connection.schema_name:
        cache.set_many(versions, None)
    else:
        with schema_context(schema_name):
            cache.set_many(versions, None)


def college_version() -> str | None:
    """The current college's version of every write (started if missing; None: no Redis).
    Taken *before* reading what it stands for, like an entry's versions."""
    return _current_versions([VERSION_KEY], cache.get_many([VERSION_KEY]))


def college_versions(schema_names: list[str]) -> dict[str, str | None]:
    """Each schema's version of every write, read for many colleges in a few round trips
    without entering their schemas (None where it is missing or Redis is unreachable). The keys
    are those `django_tenants.cache.make_key` gives each schema."""
    found: dict[str, str | None] = dict.fromkeys(schema_names)
    try:
        client = cache.client.get_client(write=False)
        for start in range(0, len(schema_names), 1000):
            chunk = schema_names[start : start + 1000]
            keys = [f"{name}:{cache.key_prefix}:{cache.version}:{VERSION_KEY}" for name in chunk]
            for name, value in zip(chunk, client.mget(keys), strict=True):
                found[name] = None if value is None else cache.client.decode(value)
    except RedisError:  # Redis unreachable: every version is unknown
        return dict.fromkeys(schema_names)
    return found


class Snapshot:
    """The versions and some entries, read in one round trip at the start of a request, for
    the lookups it will make (`read`, then `lookup(key, snapshot, tables)`). It lives on the
    request, so nothing is shared between requests or colleges."""

    def __init__(self, versions: dict, entries: dict) -> None:
        self.versions = versions
        self.entries = entries


def read(entries: dict[str, object]) -> Snapshot:
    """`entries`: each key with the tables its entry depends on (None: every write)."""
    if not enabled():
        return Snapshot({}, {})
    keys = list(dict.fromkeys(k for tables in entries.values() for k in version_keys(tables)))
    found = cache.get_many([*keys, *entries])
    return Snapshot({key: found.get(key) for key in keys}, {key: found.get(key) for key in entries})


def _current_versions(keys: list[str], found: dict) -> str | None:
    """The versions of `keys` as one token, starting those that are missing (None: no Redis)."""
    versions = []
    for key in keys:
        version = found.get(key)
        if version is None:
            version = _new_version()
            if not cache.add(key, version, None):
                version = cache.get(key)  # another process started one; None: no Redis
                if version is None:
                    return None
        versions.append(version)
    return "|".join(versions)


def lookup(key: str, snapshot: Snapshot | None = None, tables=None) -> tuple[str | None, Any]:
    """`(version, value)`: the value stored under `key` for the current versions of `tables`
    (None: of every write), else `_MISSING`. Pass the version to `store` once the value is
    computed."""
    if not enabled():
        return None, _MISSING  # and `store` keeps nothing without a version
    keys = version_keys(tables)
    if (
        snapshot is not None
        and key in snapshot.entries
        and all(snapshot.versions.get(k) is not None for k in keys)
    ):
        found = {**snapshot.versions, key: snapshot.entries.pop(key)}  # used once
    else:
        found = cache.get_many([*keys, key])
    if any(found.get(k) is None for k in keys):
        return _current_versions(keys, found), _MISSING
    version = "|".join(found[k] for k in keys)
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return version, entry[1]
    return version, _MISSING  # none, stale, or not an entry of this module


def store(key: str, version: str | None, value: Any) -> None:
    if version is not None:
        cache.set(key, (version, value), _timeout())


def is_missing(value: Any) -> bool:
    return value is _MISSING


def cached(
    key: str, compute: Callable[[], Any], snapshot: Snapshot | None = None, tables=None
) -> Any:
    """The value under `key` for the current versions of `tables`, else `compute()`'s, stored."""
    version, value = lookup(key, snapshot, tables)
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


def _publish_after_commit(connection, schema_name: str, resource: str) -> None:
    for _, callback, _ in connection.run_on_commit:
        if getattr(callback, "data_version_of", None) == schema_name:
            callback.tables.add(resource)  # already due (a rolled-back savepoint drops its
            return  # callbacks, and the resources it added with them: publishing more is safe)

    def callback() -> None:
        publish_new_version(schema_name, callback.tables)

    callback.data_version_of = schema_name
    callback.tables = {resource}
    connection.on_commit(callback)


def written_resource(sql: str) -> str | None:
    """The table an INSERT, UPDATE or DELETE writes (or its `table.column`, see
    COLUMN_RESOURCES), None for other statements and for the ignored tables."""
    match = _WRITE.match(sql)
    if match is None or match.group(1) in IGNORED_TABLES:
        return None
    table = match.group(1)
    narrow = COLUMN_RESOURCES.get(table)
    if narrow is not None and (assignments := _SET_COLUMNS.match(sql)) is not None:
        columns = set(_ASSIGNED.findall(assignments.group(1)))
        if columns and columns <= narrow:
            return f"{table}.{'.'.join(sorted(columns))}"
    return table


def _notice_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    resource = written_resource(sql) if isinstance(sql, str) else None  # not sql.Composed
    if resource is None:
        return result
    connection = context["connection"]
    schema_name = getattr(connection, "schema_name", None)
    if schema_name in (None, settings.PUBLIC_SCHEMA_NAME):
        return result
    if _in_real_transaction(connection):
        _publish_after_commit(connection, schema_name, resource)
    else:
        publish_new_version(schema_name, [resource])
    return result


def install(sender, connection, **kwargs) -> None:
    if _notice_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_notice_writes)


connection_created.connect(install, dispatch_uid="core.datacache.install")
