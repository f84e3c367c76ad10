"""Server-side time of the console's college list with many colleges (run by hand).

    DJANGO_SETTINGS_MODULE=deploy.bench.settings .venv/bin/python deploy/bench/console.py \
        [--requests 30]

Needs colleges in the database of `make run` (e.g. `deploy/bench/provisioning.py --fleet 1000`).
Refreshes the usage snapshots (every college's the first time, then those written to), times
the hourly refresh with nothing written, then times `GET /admin/tenants/college/` (the first page,
100 rows, default ordering) and a search, through the whole Django stack, in process.
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

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.accounts.models import Role, TOTPDevice, User
from shared_apps.console.services import usage_refresh_all
from tenants.models import College

EMAIL = "bench-operator@placemate.local"


def operator_session() -> Client:
    with schema_context("public"):
        operator, _ = User.objects.get_or_create(
            email=EMAIL, defaults={"role": Role.OPERATOR, "is_staff": True, "is_superuser": True}
        )
        device = TOTPDevice.objects.filter(user=operator).first()
        if device is None:
            device = TOTPDevice.for_new_secret(user=operator, hex_key="00" * 20)
            device.confirmed = True
            device.save()
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    client.force_login(operator)
    session = client.session
    session["otp_device_id"] = device.persistent_id  # as after a login with a code
    session.save()
    return client


def timed(client: Client, path: str, params: dict, runs: int) -> tuple[list[float], int]:
    client.get(path, params)  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, params)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(path, params)
    return samples, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    options = parser.parse_args()
    colleges = College.objects.exclude(schema_name="public").count()
    started = time.perf_counter()
    refreshed = usage_refresh_all()
    print(
        f"{colleges} colleges; {refreshed} usage snapshots refreshed (those written to since "
        f"their last) in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    refreshed = usage_refresh_all()
    print(
        f"the hourly refresh again, nothing written meanwhile: {refreshed} refreshed in "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    client = operator_session()
    for label, params in (
        ("list", {}),
        ("search", {"q": "fleet-09"}),
        ("filter", {"status": "trialing"}),
    ):
        samples, queries = timed(client, "/admin/tenants/college/", params, options.requests)
        samples.sort()
        print(
            f"{label:<7} median {statistics.median(samples) * 1000:6.1f} ms   "
            f"p95 {samples[int(len(samples) * 0.95) - 1] * 1000:6.1f} ms   {queries} queries"
        )


if __name__ == "__main__":
    main()
