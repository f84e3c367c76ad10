#!/usr/bin/env bash
# Issue 18's table in one run: bare Django, the project's own floor, a college host's /healthz,
# the ceilings (what the libraries cost alone: a Redis round trip, a DRF view, DRF with a JWT and
# a Redis read or three SQL round trips; deploy/bench/ceilings.py),
# auth/user, and every list endpoint warm (data cache on, the same URL again) and cold (a second
# server with the data cache off: DATA_CACHE_SECONDS=0), each with its share of bare Django.
#
# On a database of its own, filled like lists.sh's:
#   export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/12
#   DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python manage.py migrate_fleet
#   DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python manage.py seed_demo
#   DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python manage.py seed_college \
#       --schema demo --students 10000 --companies 200 --drives 1000 --applications 50000 \
#       --password bench-password-2026
#   bash deploy/bench/speed.sh      # WORKERS=2 CONNECTIONS=4 DURATION=10s SUBDOMAIN=demo
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/bench/bench.sh

PORT=${BENCH_PORT:-8861}
PASSWORD=${PASSWORD:-bench-password-2026}
HOST="${SUBDOMAIN:-demo}.${PLATFORM_DOMAIN:-localhost}"
BARE=$PORT WARM=$((PORT + 1)) COLD=$((PORT + 2)) CEILINGS=$((PORT + 3))
export JWT_ACCESS_MINUTES=${JWT_ACCESS_MINUTES:-120}  # the tokens outlive the run
BENCH_HOST=$HOST
bench_serve bare "$BARE" deploy.bench.bare
bench_serve warm "$WARM" deploy.bench.settings
bench_serve cold "$COLD" deploy.bench.settings DATA_CACHE_SECONDS=0
bench_serve ceilings "$CEILINGS" deploy.bench.ceilings

json() {  # a JSON path of stdin, e.g. json data access
    .venv/bin/python -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1:]:
    value = value[int(key)] if isinstance(value, list) else value[key]
print(value)' "$@"
}
access_token() {  # email -> access token
    curl -sf -H "Host: $HOST" -H "Content-Type: application/json" \
        -d "{\"email\": \"$1\", \"password\": \"$PASSWORD\"}" \
        "http://127.0.0.1:$WARM/api/v1/auth/login/" | json data access
}
STAFF=$(access_token seed.coordinator@seed.example.edu)
RECRUITER=$(access_token seed.recruiter@seed.example.edu)
STUDENT=$(access_token seed.student.00001@seed.example.edu)
CEILING_TOKEN=$(DJANGO_SETTINGS_MODULE=deploy.bench.ceilings .venv/bin/python -m deploy.bench.ceilings)
echo "college $HOST; $WORKERS sync workers; wrk $CONNECTIONS connections, $DURATION per row;" \
     "$(nproc) CPUs" >&2

bench_measure "bare Django" "$BARE" "$HOST" - /healthz
bench_measure "the project's own floor (its middleware, no tenancy)" "$WARM" "$HOST" - \
    /floor/healthz
bench_measure "a college host's /healthz" "$WARM" "$HOST" - /healthz
# what the libraries cost alone (deploy/bench/ceilings.py): the ceilings of the rows below
bench_measure "ceiling: bare Django and one Redis round trip" "$CEILINGS" "$HOST" - /redis
bench_measure "ceiling: a DRF view" "$CEILINGS" "$HOST" - /drf
bench_measure "ceiling: a DRF view, a JWT checked, one Redis read" "$CEILINGS" "$HOST" \
    "$CEILING_TOKEN" /drf-read
bench_measure "ceiling: a DRF view, a JWT checked, three SQL round trips" "$CEILINGS" "$HOST" \
    "$CEILING_TOKEN" /drf-sql
bench_measure "auth/user (staff)" "$WARM" "$HOST" "$STAFF" /api/v1/auth/user/
bench_measure "staff students list, warm (same URL again)" "$WARM" "$HOST" "$STAFF" \
    /api/v1/students/
bench_measure "staff students list, cold" "$COLD" "$HOST" "$STAFF" /api/v1/students/
bench_measure "staff companies list, cold" "$COLD" "$HOST" "$STAFF" /api/v1/companies/
bench_measure "staff drives list, cold (data cache off)" "$COLD" "$HOST" "$STAFF" /api/v1/drives/
bench_measure "staff applications list, cold" "$COLD" "$HOST" "$STAFF" /api/v1/applications/
bench_measure "staff interviews list, cold" "$COLD" "$HOST" "$STAFF" /api/v1/interviews/
bench_measure "staff offers list, cold" "$COLD" "$HOST" "$STAFF" /api/v1/offers/
bench_measure "staff skills list, cold" "$COLD" "$HOST" "$STAFF" /api/v1/skills/
bench_measure "recruiter drives list, cold" "$COLD" "$HOST" "$RECRUITER" /api/v1/drives/
bench_measure "a student's applications, cold" "$COLD" "$HOST" "$STUDENT" /api/v1/applications/
bench_measure "a student's open drives, cold" "$COLD" "$HOST" "$STUDENT" /api/v1/drives/
bench_measure "a student's open drives, warm" "$WARM" "$HOST" "$STUDENT" /api/v1/drives/
bench_measure "bare Django, again (the machine was steady if close)" "$BARE" "$HOST" - /healthz
bench_table
