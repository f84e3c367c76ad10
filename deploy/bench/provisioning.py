"""Sign-up to usable workspace: from the pool of schemas cloned ahead of time, by cloning the
template schema (pool empty), and by running migrations; and the no-op fleet check over many
schemas (deploy/bench/fleet.py builds big fleets fast and reports every scaling figure).

    DJANGO_SETTINGS_MODULE=deploy.bench.settings .venv/bin/python deploy/bench/provisioning.py \
        [--runs 20] [--fleet 1000]

Uses the database of `make run` (or DATABASE_URL). Everything it creates is dropped at the end,
except the --fleet schemas, which are kept for re-runs (drop them with --drop-fleet).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.bench.settings")

import django

django.setup()

from django.db import connection
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from tenants import fleet, pool
from tenants.models import College, CollegeStatus, Domain
from tenants.services import (
    AdminAccount,
    college_host,
    college_provision,
    template_ensure,
)

PASSWORD = "a-long-and-unusual-passphrase"  # noqa: S105 (throwaway bench accounts)


def drop(college: College) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{college.schema_name}" CASCADE')
    Domain.objects.filter(tenant=college).delete()
    College.objects.filter(pk=college.pk).delete()


def by_cloning(index: int) -> float:
    started = time.perf_counter()
    college = college_provision(
        name=f"Bench clone {index}",
        subdomain=f"bench-clone-{index}",
        admin=AdminAccount(f"head{index}@bench.edu", PASSWORD, "Bench", "Admin"),
        verified_admin=True,
    )
    elapsed = time.perf_counter() - started
    drop(college)
    return elapsed


def by_migrations(index: int) -> float:
    started = time.perf_counter()
    subdomain = f"bench-migrate-{index}"
    college = College(
        name=f"Bench migrate {index}",
        subdomain=subdomain,
        schema_name=College.schema_name_for(subdomain),
        status=CollegeStatus.TRIALING,
    )
    college.save(verbosity=0)  # django-tenants: CREATE SCHEMA + every migration
    Domain.objects.create(domain=college_host(subdomain), tenant=college, is_primary=True)
    with tenant_context(college):
        User.objects.create_user(email=f"head{index}@bench.edu", password=PASSWORD, role=Role.ADMIN)
    elapsed = time.perf_counter() - started
    drop(college)
    return elapsed


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    print(
        f"{name:<16} median {statistics.median(samples) * 1000:7.0f} ms   "
        f"min {samples[0] * 1000:6.0f} ms   max {samples[-1] * 1000:6.0f} ms   (n={len(samples)})"
    )


def ensure_fleet(size: int) -> None:
    existing = College.objects.filter(subdomain__startswith="fleet-").count()
    for index in range(existing, size):
        subdomain = f"fleet-{index:04d}"
        from tenants.services import college_ensure

        college_ensure(subdomain=subdomain, name=f"Fleet {index}")
        if index % 100 == 99:
            print(f"  {index + 1} fleet schemas", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--migration-runs", type=int, default=5)
    parser.add_argument("--fleet", type=int, default=0)
    parser.add_argument("--drop-fleet", action="store_true")
    options = parser.parse_args()

    template_ensure()
    pool.pool_drain()
    by_cloning(0)  # warm-up: the clone function, caches
    report("by cloning", [by_cloning(i) for i in range(1, options.runs + 1)])
    samples = []
    for i in range(1, options.runs + 1):
        pool.pool_fill(size=1)  # the refill a worker does after each sign-up, untimed
        samples.append(by_cloning(1000 + i))
    report("from the pool", samples)
    report("by migrations", [by_migrations(i) for i in range(1, options.migration_runs + 1)])

    if options.fleet:
        ensure_fleet(options.fleet)
        started = time.perf_counter()
        schemas = fleet.fleet_schemas()
        behind = fleet.fleet_behind(schemas, mark=False)
        elapsed = time.perf_counter() - started
        print(f"fleet check: {len(schemas)} schemas, {len(behind)} behind, {elapsed:.2f} s")
    if options.drop_fleet:
        for college in College.objects.filter(subdomain__startswith="fleet-"):
            drop(college)


if __name__ == "__main__":
    main()
