"""Server time of every workspace page on a seeded college (run by hand, not a test).

    DJANGO_SETTINGS_MODULE=deploy.bench.settings .venv/bin/python deploy/bench/pages.py \
        [--subdomain demo] [--requests 50] [--only drives]

(`bash deploy/bench/pages.sh` seeds the 10,000-student college first.) The pages are discovered
from the URL resolver: every pattern under /office/, /me/ and /recruiter/, its `<int:...>`
filled with the id of a real row in the signed-in person's scope (the path segment before it
names the kind: `drives/<int:pk>/` is a drive), signed in as the role the page is for (the
coordinator for the office, else the admin; the student with most applications; the recruiter
of the company with most drives). Each page is requested through the whole Django stack, in
process with the test client, with the workspace's cookies; p50 and p99 over `--requests` and
the queries of one request are printed, with two floors of the same run: bare Django (a
JsonResponse view, no middleware at all) and `/healthz` on the college host (every middleware).
The p50 of this process's CPU time per request is printed too: on a loaded machine the wall
time also counts the waits for a CPU, the CPU time only the page's own Python work (the
database's share is in the wall time alone).
Pages that answer GET with 405 (actions: POST only) are listed, not timed. The table is also
written to deploy/bench/results/ (not in git).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.bench.settings")

import django

django.setup()

from django.apps import apps
from django.db import connection
from django.db.models import Count, Model, QuerySet
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from core.accounts.tokens import tokens_for
from tenant_apps.access import (
    announcements_for,
    applications_for,
    assessments_for,
    attempts_for,
    drives_for,
    interviews_for,
    offers_for,
    students_for,
)
from tenant_apps.students.models import Student
from tenants.models import College
from tenants.services import college_host

RESULTS = Path(__file__).resolve().parent / "results"
AUDIENCES = ("office/", "me/", "recruiter/")
HTML = "text/html,application/xhtml+xml"
# The kinds of row a path segment names, through the role's scope where the API has one.
SCOPES = {
    "students": students_for,
    "drives": drives_for,
    "applications": applications_for,
    "applicants": applications_for,
    "offers": offers_for,
    "interviews": interviews_for,
    "assessments": assessments_for,
    "attempts": attempts_for,
    "announcements": announcements_for,
}
# The rows whose pages grow with them: the one with most of these is timed.
BUSIEST = {
    "drives": "applications",
    "students": "applications",
    "assessments": "attempts",
    "banks": "questions",
}
ALIASES = {"banks": "questionbank", "members": "user", "applicants": "application"}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def workspace_pages() -> list[tuple[str, str, URLPattern]]:
    """(route, namespace:name, pattern) of every page under the audiences' prefixes."""

    def walk(patterns, prefix: str, namespace: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            else:
                yield prefix + str(entry.pattern), f"{namespace}:{entry.name}", entry

    found = walk(get_resolver("config.urls_workspace").url_patterns, "", "")
    return [page for page in found if page[0].startswith(AUDIENCES)]


def model_named(segment: str) -> type[Model] | None:
    names = {segment, segment.removesuffix("s"), segment.removesuffix("ies") + "y"}
    names = {ALIASES[segment]} if segment in ALIASES else names
    return next((model for model in apps.get_models() if model._meta.model_name in names), None)


def row_id(segment: str, user: User) -> int | None:
    """A real id for `<int:...>` after `segment`, in `user`'s scope (the busiest row of a kind
    whose pages grow with it)."""
    scope = SCOPES.get(segment)
    model = model_named(segment)
    if scope is not None:
        rows: QuerySet = scope(user)
    elif model is not None:
        rows = model._default_manager.all()
    else:
        return None
    if segment in BUSIEST:
        rows = rows.annotate(n=Count(BUSIEST[segment])).order_by("-n", "pk")
    else:
        rows = rows.order_by("pk")
    return rows.values_list("pk", flat=True).first()


def fill(route: str, pattern: URLPattern, user: User) -> str | None:
    """The route with each converter replaced by a real id, or None if there is none."""
    path = route
    for name in pattern.pattern.converters:
        marker = path.index(f":{name}>")
        segment = path[: path.rindex("<", 0, marker)].rstrip("/").rsplit("/", 1)[-1]
        value = row_id(segment, user)
        if value is None:
            return None
        start = path.rindex("<", 0, marker)
        path = path[:start] + str(value) + path[path.index(">", marker) + 1 :]
    return "/" + path


class People:
    """Who signs in for each audience, and their clients (cookies of the workspace)."""

    def __init__(self, college: College, host: str) -> None:
        self.college, self.host = college, host
        self.clients: dict[int, Client] = {}
        staff = User.objects.filter(is_active=True)
        self.coordinator = staff.filter(role=Role.COORDINATOR).order_by("pk").first()
        self.admin = staff.filter(role=Role.ADMIN).order_by("pk").first()
        self.student = (
            staff.filter(role=Role.STUDENT, student__isnull=False)
            .annotate(n=Count("student__applications"))
            .order_by("-n", "pk")
            .first()
        )
        self.recruiter = (
            staff.filter(role=Role.RECRUITER, recruiter__isnull=False)
            .annotate(n=Count("recruiter__company__drives"))
            .order_by("-n", "pk")
            .first()
        )

    def for_page(self, route: str, roles: frozenset) -> User | None:
        if route.startswith("me/"):
            return self.student
        if route.startswith("recruiter/"):
            return self.recruiter
        if Role.COORDINATOR in roles and self.coordinator is not None:
            return self.coordinator
        return self.admin

    def client(self, user: User) -> Client:
        if user.pk not in self.clients:
            client = Client(HTTP_HOST=self.host, HTTP_ACCEPT=HTML)
            self.college.domain_url = self.host
            refresh = tokens_for(user, otp_verified=True)
            client.cookies["access_token"] = str(refresh.access_token)
            client.cookies["refresh_token"] = str(refresh)
            self.clients[user.pk] = client
        return self.clients[user.pk]


class Timing(NamedTuple):
    status: int
    samples: list[float]  # wall time of each request
    cpu: list[float]  # this process's CPU time of each request
    queries: int


def timed(client: Client, path: str, runs: int) -> Timing:
    status = client.get(path).status_code  # warm-up (connection, templates, caches)
    samples, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(path)
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return Timing(status, samples, cpu, len(queries))


def row(label: str, who: str, timing: Timing | str) -> str:
    if isinstance(timing, str):
        return f"{label:<72} {who:<12} {timing:>6}"
    p50, p99 = statistics.median(timing.samples) * 1000, percentile(timing.samples, 0.99) * 1000
    cpu = statistics.median(timing.cpu) * 1000
    return (
        f"{label:<72} {who:<12} {timing.status:>6} {p50:8.1f} {p99:8.1f} {cpu:8.1f} "
        f"{timing.queries:>8}"
    )


def floors(host: str, runs: int) -> list[str]:
    with override_settings(MIDDLEWARE=[], ROOT_URLCONF="deploy.bench.urls_floor"):
        timing = timed(Client(), "/floor/healthz", runs)
        bare = row("floor: bare Django (JsonResponse, no middleware)", "-", timing)
    timing = timed(Client(HTTP_HOST=host), "/healthz", runs)
    full = row("floor: /healthz on the college host (middleware)", "-", timing)
    return [bare, full]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subdomain", default="demo")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--only", default="", help="time only routes containing this text")
    options = parser.parse_args()
    college = College.objects.get(subdomain=options.subdomain)
    host = college_host(college.subdomain)
    lines = [
        f"{'page':<72} {'as':<12} {'status':>6} {'p50 ms':>8} {'p99 ms':>8} {'cpu p50':>8} "
        f"{'queries':>8}"
    ]
    lines += floors(host, options.requests)
    with tenant_context(college):
        heading = (
            f"college {college.schema_name}: {Student.objects.count()} students; "
            f"{options.requests} requests per page; load average at the start "
            + " ".join(f"{load:.1f}" for load in os.getloadavg())
            + f" on {os.cpu_count()} CPUs"
        )
        print(heading)
        people = People(college, host)
        for route, name, pattern in workspace_pages():
            if options.only not in route:
                continue
            user = people.for_page(route, getattr(pattern.callback, "workspace_roles", frozenset()))
            if user is None:
                lines.append(row(f"{name} /{route}", "nobody", "skip"))
                continue
            path = fill(route, pattern, user)
            if path is None:
                lines.append(row(f"{name} /{route}", user.role, "no row"))
                continue
            client = people.client(user)
            if client.get(path).status_code == 405:
                lines.append(row(f"{name} {path}", user.role, "POST"))
                continue
            timing = timed(client, path, options.requests)
            lines.append(row(f"{name} {path}", user.role, timing))
            print(lines[-1], flush=True)
    lines.append("load average at the end " + " ".join(f"{load:.1f}" for load in os.getloadavg()))
    table = "\n".join([heading, *lines])
    print("\n" + table)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"pages-{stamp}.txt").write_text(table + "\n")


if __name__ == "__main__":
    main()
