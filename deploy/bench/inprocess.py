"""The wall time of one request in process: Django's WSGI handler called directly, the same
request again and again (run by hand, not a test; no gunicorn, no network, no other request).

    DATABASE_URL=postgres://.../bench REDIS_URL=redis://.../12 [DATA_CACHE_SECONDS=0] \\
    DJANGO_SETTINGS_MODULE=deploy.bench.settings .venv/bin/python deploy/bench/inprocess.py \\
        [--role staff|recruiter|student] [--requests 1000] /healthz /api/v1/auth/user/ ...

Prints the best of five rounds of `--requests` calls per path, in µs per request, and the
statuses seen (a path that does not answer 200 is refused). Compare figures of one run.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.bench.settings")

import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler

from deploy.bench.lists_profile import PEOPLE, call, environ, sign_in

UNAUTHENTICATED = ("/healthz", "/readyz", "/floor/healthz")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--subdomain", default="demo")
    parser.add_argument("--role", default="staff", choices=sorted(PEOPLE))
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    app = WSGIHandler()
    host = f"{args.subdomain}.localhost"
    token = sign_in(app, host, PEOPLE[args.role])
    for path in args.paths:
        env = environ(host, path, None if path in UNAUTHENTICATED else token)
        statuses: dict[int, int] = {}
        for _ in range(100):  # warm: connections, compiled queries, caches
            call(app, dict(env, **{"wsgi.input": io.BytesIO()}))
        rounds = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(args.requests):
                status, _body = call(app, dict(env, **{"wsgi.input": io.BytesIO()}))
                statuses[status] = statuses.get(status, 0) + 1
            rounds.append((time.perf_counter() - started) / args.requests)
        if set(statuses) != {200}:
            raise SystemExit(f"{path} answered {statuses}")
        print(f"{path:45s} {min(rounds) * 1e6:9.0f} µs a request ({args.role})")


if __name__ == "__main__":
    main()
