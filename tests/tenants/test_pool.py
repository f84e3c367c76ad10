"""The pool of schemas cloned ahead of time: a sign-up renames one instead of cloning; correct
when the pool is empty, when a pooled schema lags the template, and when sign-ups race."""

import threading

import pytest
from celery.result import _set_task_join_will_block
from django.db import connection, connections
from django_tenants.utils import schema_exists, tenant_context

from core.accounts.models import User
from tenants import fleet, pool
from tenants.models import College, PooledSchema, SchemaMigrations
from tenants.services import AdminAccount, college_provision
from tests.browser import committed, drop_college
from tests.tenant_apps.factories import make_drive
from tests.tenants.test_cloning import structure
from tests.tenants.test_provisioning import run_in_threads

ADMIN = AdminAccount("head@pool.edu", "a-long-and-unusual-passphrase", "Pat", "Head")


def namespace_oid(schema: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
        row = cursor.fetchone()
        return row[0] if row else None


@pytest.fixture
def committed_pool(db, _schemas):
    """A pool of two committed schemas (other connections see them); emptied afterwards."""
    committed(lambda: pool.pool_fill(size=2))
    yield
    committed(pool.pool_drain)


def test_a_sign_up_takes_a_pooled_schema_and_the_pool_is_refilled(
    db, _schemas, settings, django_capture_on_commit_callbacks
):
    # given a pool of two
    settings.TENANT_SCHEMA_POOL_SIZE = 2
    assert pool.pool_fill() == 2
    oldest = PooledSchema.objects.order_by("pk").first().schema_name
    oid = namespace_oid(oldest)

    # when a college signs up
    with django_capture_on_commit_callbacks(execute=True):
        college = college_provision(name="Pooled", subdomain="pooled", admin=ADMIN)

    # then its schema is the oldest pooled one, renamed, with the template's structure and marker
    assert namespace_oid("c_pooled") == oid and not schema_exists(oldest)
    assert structure("c_pooled") == structure("template_college")
    assert fleet.schemas_unmarked(["c_pooled"]) == []
    assert not SchemaMigrations.objects.filter(schema_name=oldest).exists()
    with tenant_context(college):
        assert User.objects.get().email == ADMIN.email
    # and the refill queued after the commit brought the pool back to two
    assert PooledSchema.objects.count() == 2 and oldest not in pool.pool_schemas()


def test_identities_and_foreign_keys_work_in_a_renamed_schema(db, _schemas, settings):
    pool.pool_fill(size=1)
    college = college_provision(name="Renamed", subdomain="renamed", admin=ADMIN)

    with tenant_context(college):
        from tenant_apps.companies.models import Company

        company = Company.objects.create(name="Acme")
        assert Company.objects.get(pk=company.pk).name == "Acme"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.confrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE k.contype = 'f' AND k.conrelid IN (SELECT c2.oid FROM pg_class c2 "
            "JOIN pg_namespace n2 ON n2.oid = c2.relnamespace WHERE n2.nspname = 'c_renamed') "
            "AND n.nspname <> 'c_renamed'"
        )
        assert cursor.fetchone() == (0,)  # every foreign key points into the renamed schema

    # the live-row counts' triggers write into the renamed schema (tenant_apps/kit/counting.py)
    make_drive(college)
    with tenant_context(college), connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COALESCE(SUM(live), 0) FROM kit_live_rows "
            "WHERE table_name = 'drives_drive'), (SELECT count(*) FROM drives_drive)"
        )
        assert cursor.fetchone() == (1, 1)


def test_with_an_empty_pool_a_sign_up_clones(db, _schemas):
    assert PooledSchema.objects.count() == 0

    college = college_provision(name="Unpooled", subdomain="unpooled", admin=ADMIN)

    assert schema_exists(college.schema_name)
    assert structure(college.schema_name) == structure("template_college")
    assert fleet.schemas_unmarked([college.schema_name]) == []


def test_a_pooled_schema_behind_the_template_is_not_taken(db, _schemas):
    # given a pooled schema whose marker lags the template's (migrate_fleet has not reached it)
    pool.pool_fill(size=1)
    (stale,) = pool.pool_schemas()
    SchemaMigrations.objects.filter(schema_name=stale).update(digest="an-older-state")

    # when a college signs up, it gets a fresh clone, and the stale one stays pooled
    college_provision(name="Fresh", subdomain="fresh", admin=ADMIN)

    assert namespace_oid(stale) is not None and pool.pool_schemas() == [stale]
    assert fleet.schemas_unmarked(["c_fresh"]) == []


def test_a_sign_up_rolled_back_leaves_its_pooled_schema_in_the_pool(db, _schemas, monkeypatch):
    from core.accounts import services as accounts

    pool.pool_fill(size=1)
    (pooled,) = pool.pool_schemas()

    def failing(**kwargs):
        raise RuntimeError("mail server exploded")

    monkeypatch.setattr(accounts, "college_admin_create", failing)
    with pytest.raises(RuntimeError):
        college_provision(name="Undone", subdomain="undone", admin=ADMIN)

    assert pool.pool_schemas() == [pooled] and schema_exists(pooled)
    assert not schema_exists("c_undone")


def test_two_transactions_taking_at_once_never_get_the_same_schema(committed_pool):
    # given two connections of their own, each in a transaction, as two sign-ups would be
    first, second = (connections.create_connection("default") for _ in range(2))
    taken = []
    try:
        for conn in (first, second):
            conn.set_schema_to_public()
            conn.ensure_connection()
            conn.set_autocommit(False)
        # when both take before either commits (the first's row stays locked)
        for conn in (first, second):
            taken.append(_take_on(conn, f"c_race_{len(taken)}"))
        # then each got one (no waiting: SKIP LOCKED), and a third finds none left
        third = connections.create_connection("default")
        third.set_schema_to_public()
        assert _take_on(third, "c_race_2") is False
        third.close()
        assert taken == [True, True]
    finally:
        for conn in (first, second):
            conn.rollback()
            conn.close()
    assert len(committed(pool.pool_schemas)) == 2  # both rolled back: the pool is whole


def _take_on(conn, target: str) -> bool:
    """`pool.schema_take` on `conn` instead of the thread's default connection."""
    saved = connections["default"]
    connections["default"] = conn
    try:
        return pool.schema_take(target)
    finally:
        connections["default"] = saved


def test_racing_sign_ups_each_get_a_workspace(committed_pool):
    # given a pool of two and three colleges signing up at the same moment
    counter = iter(range(3))
    lock = threading.Lock()

    def sign_up():
        with lock:
            index = next(counter)
        admin = AdminAccount(f"head{index}@race.edu", ADMIN.password, "Pat", "Head")
        return college_provision(name=f"Race {index}", subdomain=f"pool-race-{index}", admin=admin)

    try:
        results = run_in_threads(sign_up, 3)

        # then all three have a schema of their own (two renamed from the pool, one cloned)
        assert all(isinstance(r, College) for r in results), results
        schemas = committed(
            lambda: (
                [schema_exists(f"c_pool_race_{i}") for i in range(3)] + [len(pool.pool_schemas())]
            )
        )
        assert schemas == [True, True, True, 0]
    finally:
        for index in range(3):
            drop_college(f"pool-race-{index}")
        committed(
            lambda: SchemaMigrations.objects.filter(schema_name__startswith="c_pool_race_").delete()
        )
        # eager tasks (the admins' mails) ran in three threads at once: Celery's process-wide
        # "inside a task" flag, set and restored by each, can be left set by such a race
        _set_task_join_will_block(False)
