"""Server-side time of the analytics endpoints on a seeded college (run by hand).

    DJANGO_SETTINGS_MODULE=deploy.bench.settings .venv/bin/python deploy/bench/analytics.py \
        [--subdomain demo] [--runs 50]

Needs a college seeded with `seed_college` (e.g. 10,000 students, 1,000 drives). Times, in
process through the whole Django stack (host resolution, middleware, DRF, the envelope), as a
coordinator:
- `GET /api/v1/drives/{id}/recommendations/` (first page) for the open drive with the most
  eligible students;
- `GET /api/v1/students/me/recommended-drives/` as a student;
- `GET /api/v1/dashboard/stats/` cold (the college's data cache invalidated before each
  request) and warm;
and prints p50 / p99 and the queries of one request.
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
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from core import datacache
from core.accounts.models import Role, User
from tenant_apps.drives.eligibility import drive_eligible_students
from tenant_apps.drives.models import Drive, accepting_applications
from tenant_apps.students.models import Student
from tenants.models import College
from tenants.services import college_host


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def timed(client: APIClient, path: str, runs: int, before=None) -> tuple[list[float], int]:
    client.get(path)  # warm-up (connection, compiled read models)
    samples = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
    if before:
        before()
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return samples, len(queries)


def report(label: str, samples: list[float], queries: int) -> None:
    print(
        f"{label:<34} p50 {statistics.median(samples) * 1000:7.1f} ms   "
        f"p99 {percentile(samples, 0.99) * 1000:7.1f} ms   {queries} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subdomain", default="demo")
    parser.add_argument("--runs", type=int, default=50)
    options = parser.parse_args()
    college = College.objects.get(subdomain=options.subdomain)
    host = college_host(college.subdomain)
    with tenant_context(college):
        students = Student.objects.count()
        coordinator = User.objects.filter(role=Role.COORDINATOR, is_active=True).first()
        student = Student.objects.filter(is_verified=True).select_related("user").first()
        drives = list(Drive.objects.filter(accepting_applications())[:50])
        drive, eligible = max(
            ((d, drive_eligible_students(drive=d).count()) for d in drives), key=lambda p: p[1]
        )
    print(f"college {college.schema_name}: {students} students, {len(drives)}+ open drives")
    print(f"drive {drive.pk}: {eligible} eligible students")

    staff = APIClient(HTTP_HOST=host)
    staff.force_authenticate(coordinator)
    learner = APIClient(HTTP_HOST=host)
    learner.force_authenticate(student.user)

    def invalidate() -> None:
        with tenant_context(college):
            datacache.publish_new_version()  # the analytics (entries of any write) are stale

    runs = options.runs
    report(
        "recommendations (page of 20)",
        *timed(staff, f"/api/v1/drives/{drive.pk}/recommendations/", runs),
    )
    report(
        "recommended drives (student)",
        *timed(learner, "/api/v1/students/me/recommended-drives/", runs),
    )
    report("dashboard stats, cold", *timed(staff, "/api/v1/dashboard/stats/", runs, invalidate))
    report("dashboard stats, warm", *timed(staff, "/api/v1/dashboard/stats/", runs))
    report("placement report, cold", *timed(staff, "/api/v1/reports/placements/", 10, invalidate))


if __name__ == "__main__":
    main()
