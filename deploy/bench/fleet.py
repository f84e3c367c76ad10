"""A fleet of many colleges on one database, built fast, and the figures of scaling.md's table.

    DATABASE_URL=postgres://.../a_database_of_its_own \\
    DJANGO_SETTINGS_MODULE=deploy.bench.settings .venv/bin/python deploy/bench/fleet.py \\
        build --size 1000          # bulk clone: one script per college, rows in bulk
    ... deploy/bench/fleet.py measure [--signups 8] [--memory-colleges 1000]
    ... deploy/bench/fleet.py drop   # drop every fleet college (schemas and rows)

Run it in a database of its own: 1,000 empty colleges take about 3 GB. `build` copies the
template schema (`migrate_fleet` first) with the same statements as a sign-up's clone, but reads
the template's catalog once and sends each college's statements as one script, in autocommit
(one college per transaction: a transaction over many would exhaust the lock table).
`measure` prints: sign-up (median), `migrate_fleet` with nothing to do (wall and check), the
catalog (relations, database size, per college), the backend memory of one connection reading
5 tables in each college with and without the recycling bound, the console's college list, and
the outbox and attempt sweeps.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.bench.settings")

import django

django.setup()

from datetime import timedelta

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from psycopg2 import sql

from tenants import cloning
from tenants.models import College, CollegeStatus, Domain
from tenants.services import college_host, template_ensure

PREFIX = "fleet-"
READ_TABLES = (
    "accounts_user",
    "students_student",
    "companies_company",
    "drives_drive",
    "applications_application",
)


def fleet_colleges():
    return College.objects.filter(subdomain__startswith=PREFIX)


def build(size: int, start: int = 0) -> None:
    template_ensure()
    template = settings.TENANT_TEMPLATE_SCHEMA
    catalog = cloning.template_catalog(template)
    existing = set(fleet_colleges().values_list("subdomain", flat=True))
    todo = [f"{PREFIX}{i:05d}" for i in range(start, size) if f"{PREFIX}{i:05d}" not in existing]
    print(f"{len(existing)} fleet colleges exist, building {len(todo)}", flush=True)
    started = time.perf_counter()
    mark = started
    batch: list[str] = []
    for done, subdomain in enumerate(todo, start=1):
        schema = College.schema_name_for(subdomain)
        script = sql.SQL(";\n").join(
            [
                sql.SQL("SET LOCAL search_path TO pg_catalog"),
                *cloning.clone_statements(catalog, template, schema),
            ]
        )
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("BEGIN;\n") + script + sql.SQL(";\nCOMMIT"))
        batch.append(subdomain)
        if len(batch) == 200 or done == len(todo):
            _rows(batch)
            batch = []
        if done % 500 == 0 or done == len(todo):
            now = time.perf_counter()
            print(
                f"  {len(existing) + done} colleges, last 500 at "
                f"{(now - mark) / min(500, done) * 1000:.0f} ms each",
                flush=True,
            )
            mark = now
    connection.forget_search_path()
    elapsed = time.perf_counter() - started
    if todo:
        print(f"built {len(todo)} in {elapsed:.0f} s ({elapsed / len(todo) * 1000:.0f} ms each)")


def _rows(subdomains: list[str]) -> None:
    now = timezone.now()
    colleges = College.objects.bulk_create(
        [
            College(
                name=f"Fleet {s[len(PREFIX) :]}",
                subdomain=s,
                schema_name=College.schema_name_for(s),
                status=CollegeStatus.TRIALING,
                trial_ends_at=now + timedelta(days=settings.TRIAL_DAYS),
            )
            for s in subdomains
        ]
    )
    Domain.objects.bulk_create(
        [Domain(domain=college_host(c.subdomain), tenant=c, is_primary=True) for c in colleges]
    )
    from tenants import fleet

    if hasattr(fleet, "schemas_mark_current"):
        fleet.schemas_mark_current([c.schema_name for c in colleges])


def catalog_figures() -> None:
    colleges = fleet_colleges().count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class")
        (relations,) = cursor.fetchone()
        cursor.execute("SELECT pg_database_size(current_database())")
        (size,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s",
            [settings.TENANT_TEMPLATE_SCHEMA],
        )
        (per_college,) = cursor.fetchone()
        cursor.execute(
            "SELECT c.relkind, count(*) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s GROUP BY 1 ORDER BY 1",
            [settings.TENANT_TEMPLATE_SCHEMA],
        )
        kinds = ", ".join(f"{kind}: {count}" for kind, count in cursor.fetchall())
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND c.relkind IN ('r', 'p', 'm')",
            [settings.TENANT_TEMPLATE_SCHEMA],
        )
        (template_bytes,) = cursor.fetchone()
    print(
        f"catalog: {colleges} fleet colleges, {relations} rows in pg_class, "
        f"{relations / max(colleges, 1):.0f} per college; {per_college} relations in the "
        f"template ({kinds}); database {size / 2**30:.2f} GB, "
        f"{size / max(colleges, 1) / 2**20:.2f} MB per college; the template's relations "
        f"{template_bytes / 2**20:.2f} MB"
    )


def backend_memory(conn) -> float:
    with conn.connection.cursor() as cursor:
        cursor.execute("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")
        return cursor.fetchone()[0] / 2**20


def _read_college(conn, schema: str) -> None:
    conn.set_schema(schema)
    with conn.cursor() as cursor:
        for table in READ_TABLES:
            cursor.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(table)))


def memory_figures(count: int) -> None:
    """One persistent connection reading 5 tables in each of `count` colleges, as requests of
    one worker would: unbounded, then with the bound of tenants.postgresql_backend (checked
    where Django checks a connection between requests), then the cost of reading the memory."""
    schemas = list(fleet_colleges().order_by("pk").values_list("schema_name", flat=True)[:count])
    marks = {1, 100, 500, 1000, 2000, 5000, 10000, len(schemas)}
    conn = connections.create_connection("default")
    conn.ensure_connection()
    out = [f"before {backend_memory(conn):.0f} MB"]
    started = time.perf_counter()
    for index, schema in enumerate(schemas, start=1):
        _read_college(conn, schema)
        if index in marks:
            out.append(f"{backend_memory(conn):.0f} MB after {index}")
    unbounded = (time.perf_counter() - started) / len(schemas) * 1000
    conn.close()
    print(f"memory, unbounded: {', '.join(out)} ({unbounded:.2f} ms per college)")

    limit = getattr(settings, "TENANT_CONNECTION_MAX_SCHEMAS", 0)
    if not limit:
        return
    conn = connections.create_connection("default")
    peak, opened = 0.0, 0
    started = time.perf_counter()
    for schema in schemas:
        if conn.connection is None:
            conn.ensure_connection()
            conn.close_at = None  # only the bound closes it here
            opened += 1
        _read_college(conn, schema)
        if len(conn.schemas_served) == limit:
            peak = max(peak, backend_memory(conn))
        conn.close_if_unusable_or_obsolete()  # the end of a request
    bounded = (time.perf_counter() - started) / len(schemas) * 1000
    conn.close()
    print(
        f"memory, replaced after {limit} schemas: peak {peak:.0f} MB over {len(schemas)} "
        f"colleges, {opened} connections opened ({bounded:.2f} ms per college, reconnections "
        f"included)"
    )
    conn = connections.create_connection("default")
    conn.ensure_connection()
    started = time.perf_counter()
    for _ in range(200):
        backend_memory(conn)
    print(
        f"reading pg_backend_memory_contexts: "
        f"{(time.perf_counter() - started) / 200 * 1000:.2f} ms per read (fresh connection)"
    )
    conn.close()


def migrate_fleet_figures() -> None:
    for run in (1, 2):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate_fleet", "--check"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        wall = time.perf_counter() - started
        print(f"migrate_fleet --check run {run}: {wall:.1f} s wall; {result.stdout.strip()}")


def signup_figures(runs: int) -> None:
    """Sign-ups as the API does them (admin included), with the pool full (refilled between
    sign-ups, untimed, as the worker would) and empty (a clone each)."""
    from deploy.bench.provisioning import by_cloning

    try:
        from tenants import pool
    except ImportError:
        pool = None
    size = getattr(settings, "TENANT_SCHEMA_POOL_SIZE", 0)
    cases = [("pool empty (clone)", False)] + ([("from the pool", True)] if pool and size else [])
    colleges = fleet_colleges().count()
    for label, pooled in cases:
        samples = []
        for index in range(runs + 1):
            if pool is not None:
                pool.pool_fill(size=size) if pooled else pool.pool_drain()
            samples.append(by_cloning(index + (100 if pooled else 0)))
        samples = sorted(samples[1:])  # the first warms up
        print(
            f"sign-up at {colleges} colleges, {label}: median "
            f"{statistics.median(samples) * 1000:.0f} ms, min {samples[0] * 1000:.0f}, "
            f"max {samples[-1] * 1000:.0f} (n={runs})"
        )
    if pool is not None:
        pool.pool_drain()


def sweep_figures() -> None:
    from core.outbox.relay import schemas_with_due_messages
    from tenant_apps.assessments.sweep import schemas_with_overdue_attempts

    for name, sweep in (
        ("outbox", schemas_with_due_messages),
        ("attempts", schemas_with_overdue_attempts),
    ):
        sweep()
        started = time.perf_counter()
        found = sweep()
        print(f"{name} sweep: {(time.perf_counter() - started) * 1000:.0f} ms, {len(found)} found")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["build", "measure", "drop"])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--start", type=int, default=0, help="build from this index on")
    parser.add_argument("--signups", type=int, default=8)
    parser.add_argument("--memory-colleges", type=int, default=1000)
    parser.add_argument("--only", default="catalog,migrate,signup,memory,sweeps,console")
    options = parser.parse_args()
    if options.action == "build":
        build(options.size, options.start)
        catalog_figures()
    elif options.action == "drop":
        for schema in fleet_colleges().values_list("schema_name", flat=True):
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )
        Domain.objects.filter(tenant__subdomain__startswith=PREFIX).delete()
        fleet_colleges().delete()
    else:
        only = set(options.only.split(","))
        if "catalog" in only:
            catalog_figures()
        if "migrate" in only:
            migrate_fleet_figures()
        if "signup" in only:
            signup_figures(options.signups)
        if "sweeps" in only:
            sweep_figures()
        if "memory" in only:
            memory_figures(options.memory_colleges)
        if "console" in only:
            subprocess.run(
                [sys.executable, "deploy/bench/console.py", "--requests", "10"],
                check=True,
                cwd=Path(__file__).resolve().parents[2],
            )


if __name__ == "__main__":
    main()
