"""Student import of a 10,000-row file, timed through the whole API stack, in process (run by
hand; the target is under 15 s for the import).

    .venv/bin/python deploy/bench/import.py [--rows 10000] [--subdomain bench-import]

Uses the database and Redis of the environment (`DATABASE_URL`, `REDIS_URL`; the settings of
`deploy/bench/settings.py`). Creates the college `<subdomain>` on the enterprise plan if it is
missing and empties its students first, so every run imports into a fresh college. Celery runs
eagerly here (no worker needed): a large file's job runs right after the request's commit, so
the timings of the 202 answers include the whole job; the invitations are left out (`invite=false`,
they are their own background task). Times: the CSV dry run, the CSV import (creates every row),
the same file again (every row unchanged), and the XLSX dry run.
"""

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.bench.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"

import django

django.setup()

from django.db import connection
from django_tenants.utils import tenant_context
from openpyxl import Workbook
from rest_framework.test import APIClient

from core.accounts.models import Role, User
from shared_apps.billing.models import Plan
from tenant_apps.students.models import Student, StudentImport, StudentSkill
from tenants.services import college_ensure, college_host

HEADER = [
    "email", "first_name", "last_name", "roll_number", "department", "graduation_year", "cgpa",
    "backlogs", "phone",
]  # fmt: skip
DEPARTMENTS = ["CSE", "ECE", "EEE", "MECH", "CIVIL", "CHEM"]


def rows(count: int) -> list[list]:
    return [
        [
            f"bench.import.{n:05d}@example.edu",
            f"First{n}",
            f"Last{n}",
            f"IMP{n:05d}",
            DEPARTMENTS[n % len(DEPARTMENTS)],
            2025 + n % 4,
            f"{6 + (n % 400) / 100:.2f}",
            n % 3,
            f"+91 98{n:08d}",
        ]
        for n in range(count)
    ]


def csv_upload(data: list[list]) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(data)
    upload = io.BytesIO(text.getvalue().encode())
    upload.name = "students.csv"
    return upload


def xlsx_upload(data: list[list]) -> io.BytesIO:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "students.xlsx"
    return upload


def fresh_college(subdomain: str):
    college, _ = college_ensure(subdomain=subdomain, name="Bench Import College")
    college.plan = Plan.objects.get(code="enterprise")
    college.save()
    with tenant_context(college):
        StudentSkill.all_objects.all()._raw_delete(connection.alias)
        Student.all_objects.all()._raw_delete(connection.alias)
        User.objects.filter(role=Role.STUDENT).delete()
        StudentImport.all_objects.all()._raw_delete(connection.alias)
        coordinator, _ = User.objects.get_or_create(
            email="bench.import.coordinator@example.edu", defaults={"role": Role.COORDINATOR}
        )
    connection.set_schema_to_public()
    return college, coordinator


def timed_import(client: APIClient, upload, *, dry_run: bool) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post(
        "/api/v1/students/import/",
        {"file": upload, "dry_run": str(dry_run).lower(), "invite": "false"},
        format="multipart",
    )
    elapsed = time.perf_counter() - started
    assert response.status_code in (200, 202), response.content[:500]
    data = response.json()["data"]
    if response.status_code == 202:  # a job: it ran (eagerly) after the request's commit
        data = client.get(f"/api/v1/students/import/{data['id']}/").json()["data"]
        assert data["status"] == "done", data
        data = data["result"]
    return elapsed, data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--subdomain", default="bench-import")
    args = parser.parse_args()

    college, coordinator = fresh_college(args.subdomain)
    client = APIClient(HTTP_HOST=college_host(college.subdomain))
    client.force_authenticate(coordinator)
    data = rows(args.rows)
    csv_bytes, xlsx_bytes = csv_upload(data), xlsx_upload(data)
    print(f"{args.rows} rows: CSV {len(csv_bytes.getvalue()) / 1e6:.2f} MB, "
          f"XLSX {len(xlsx_bytes.getvalue()) / 1e6:.2f} MB")  # fmt: skip

    for label, upload, dry_run, expect in (
        ("CSV dry run", csv_bytes, True, ("created", args.rows)),
        ("CSV import (all created)", csv_bytes, False, ("created", args.rows)),
        ("CSV again (all unchanged)", csv_bytes, False, ("unchanged", args.rows)),
        ("XLSX dry run (all unchanged)", xlsx_bytes, True, ("unchanged", args.rows)),
    ):
        upload.seek(0)
        elapsed, result = timed_import(client, upload, dry_run=dry_run)
        assert result[expect[0]] == expect[1] and result["failed"] == 0, result
        print(f"{label:32s} {elapsed:6.2f} s   {expect[0]}={result[expect[0]]}")
    with tenant_context(college):
        assert Student.objects.count() == args.rows


if __name__ == "__main__":
    main()
