"""Where a cold list request's time goes, in process (run by hand, not a test).

    DATABASE_URL=postgres://.../a_copy_of_bench DATA_CACHE_SECONDS=0 \\
    DJANGO_SETTINGS_MODULE=deploy.bench.settings .venv/bin/python deploy/bench/lists_profile.py \\
        [--requests 200] [--only drives] [--profile staff:/api/v1/drives/]

Each list of speed.sh and lists.sh is requested `--requests` times through Django's WSGI
handler (what gunicorn calls, every middleware), signed in with a bearer token as in the
benchmarks, and split into the time the database cursor took (SQL, the round trips included),
the time in the read path's own Python (the rows shaped into output and encoded: `to_output`
and the renderer) and the rest (the framework: middleware, authentication, DRF's request,
filters, pagination). Medians of the process's CPU time are printed beside the wall time: on a
loaded machine the wall time also counts the waits for a CPU. `--profile ROLE:PATH` prints
cProfile's top functions of one list instead.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.bench.settings")

import django

django.setup()

import orjson
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from core.api import renderers

PASSWORD = "bench-password-2026"  # noqa: S105 (the seeded colleges' password)
PEOPLE = {
    "staff": "seed.coordinator@seed.example.edu",
    "recruiter": "seed.recruiter@seed.example.edu",
    "student": "seed.student.00001@seed.example.edu",
}
LISTS = [
    ("staff", "students", "/api/v1/students/"),
    ("staff", "companies", "/api/v1/companies/"),
    ("staff", "drives", "/api/v1/drives/"),
    ("staff", "applications", "/api/v1/applications/"),
    ("staff", "interviews", "/api/v1/interviews/"),
    ("staff", "offers", "/api/v1/offers/"),
    ("staff", "skills", "/api/v1/skills/"),
    ("staff", "interview slots", "/api/v1/interview-slots/"),
    ("staff", "announcements", "/api/v1/announcements/"),
    ("staff", "verification queue", "/api/v1/students/?verification_status=submitted"),
    ("staff", "offer tiers", "/api/v1/offer-tiers/"),
    ("staff", "named students", "/api/v1/drives/{drive}/student-list/"),
    ("staff", "eligible-students", "/api/v1/drives/{drive}/eligible-students/"),
    ("staff", "eligible-students 100", "/api/v1/drives/{drive}/eligible-students/?page_size=100"),
    ("recruiter", "recruiter drives", "/api/v1/drives/"),
    ("student", "student applications", "/api/v1/applications/"),
    ("student", "student open drives", "/api/v1/drives/"),
    ("staff", "auth/user", "/api/v1/auth/user/"),
]


class Clock:
    """Wall time spent inside the database cursor and inside the output path."""

    def __init__(self):
        self.sql = 0.0
        self.queries = 0
        self.output = 0.0
        self.log = None  # a list: every statement with its time

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.sql += spent
            self.queries += 1
            if self.log is not None:
                self.log.append((spent, sql, params))


def environ(host: str, path: str, token: str | None, method="GET", body=b"") -> dict:
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if token:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if body:
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
    return env


def call(app, env) -> tuple[int, bytes]:
    status = []
    chunks = app(env, lambda s, headers, exc_info=None: status.append(s))
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return int(status[0].split()[0]), body


def sign_in(app, host: str, email: str) -> str:
    body = orjson.dumps({"email": email, "password": PASSWORD})
    status, answer = call(app, environ(host, "/api/v1/auth/login/", None, "POST", body))
    assert status == 200, answer[:300]
    return orjson.loads(answer)["data"]["access"]


def timed_output(clock: Clock):
    """Counts the renderer's encoding and every viewset's `to_output` into `clock.output`."""
    encode = renderers.EnvelopeJSONRenderer._encode

    def timed_encode(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return encode(self, *args, **kwargs)
        finally:
            clock.output += time.perf_counter() - started

    renderers.EnvelopeJSONRenderer._encode = timed_encode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subdomain", default="demo")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", default="")
    parser.add_argument("--profile", default="")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--queries", action="store_true", help="print one request's SQL")
    args = parser.parse_args()
    host = f"{args.subdomain}.localhost"
    app = WSGIHandler()
    tokens = {role: sign_in(app, host, email) for role, email in PEOPLE.items()}
    status, answer = call(
        app, environ(host, "/api/v1/drives/?status=open&page_size=1", tokens["staff"])
    )
    drive = orjson.loads(answer)["data"][0]["id"]
    clock = Clock()
    timed_output(clock)
    connection.execute_wrappers.append(clock)  # the connection outlives requests (CONN_MAX_AGE)

    if args.profile:
        role, path = args.profile.split(":", 1)
        env = environ(host, path.format(drive=drive), tokens[role])
        for _ in range(20):
            call(app, dict(env, **{"wsgi.input": io.BytesIO()}))
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            call(app, dict(env, **{"wsgi.input": io.BytesIO()}))
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
        pstats.Stats(profile, stream=(out := io.StringIO())).sort_stats("tottime").print_stats(
            args.top
        )
        print(out.getvalue())
        return

    print(
        "| list | wall p50 (ms) | CPU p50 (ms) | SQL (ms) | queries | encoding (ms) | rest (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for role, label, path in LISTS:
        if args.only and args.only not in label:
            continue
        env = environ(host, path.format(drive=drive), tokens[role])
        walls, cpus, sqls, outputs, queries = [], [], [], [], 0
        if args.queries:
            clock.log = []
            call(app, dict(env, **{"wsgi.input": io.BytesIO()}))
            print(f"{label}:")
            for spent, sql, params in clock.log:
                print(f"  {spent * 1000:6.2f} ms  {sql[:300]}  {str(params)[:200]}")
            clock.log = None
        for n in range(args.requests + 10):
            clock.sql = clock.output = 0.0
            clock.queries = 0
            wall, cpu = time.perf_counter(), time.process_time()
            status, _ = call(app, dict(env, **{"wsgi.input": io.BytesIO()}))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert status == 200, (label, status)
            if n >= 10:  # warm-up: the read models compile their SQL once per connection
                walls.append(wall)
                cpus.append(cpu)
                sqls.append(clock.sql)
                outputs.append(clock.output)
                queries = clock.queries
        wall, sql = statistics.median(walls) * 1000, statistics.median(sqls) * 1000
        output = statistics.median(outputs) * 1000
        print(
            f"| {label} | {wall:.2f} | {statistics.median(cpus) * 1000:.2f} | {sql:.2f} "
            f"| {queries} | {output:.2f} | {wall - sql - output:.2f} |"
        )


if __name__ == "__main__":
    main()
