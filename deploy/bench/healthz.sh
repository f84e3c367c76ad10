#!/usr/bin/env bash
# Tenancy and middleware overhead: bare Django, the project's floor view (its middleware, no
# tenancy) and a college host's /healthz, in one run under the same gunicorn options (bench.sh).
#
#   make run   # once, so that the demo college exists (or set DATABASE_URL to a seeded database)
#   bash deploy/bench/healthz.sh        # WORKERS=2 DURATION=10s CONNECTIONS=4
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/bench/bench.sh

PORT=${BENCH_PORT:-8765}
HOST="${SUBDOMAIN:-demo}.${PLATFORM_DOMAIN:-localhost}"
BENCH_HOST=$HOST
bench_serve bare "$PORT" deploy.bench.bare
bench_serve project "$((PORT + 1))" deploy.bench.settings

bench_measure "bare Django" "$PORT" "$HOST" - /healthz
bench_measure "the project's floor (its middleware, no tenancy)" "$((PORT + 1))" "$HOST" - \
    /floor/healthz
bench_measure "a college host's /healthz" "$((PORT + 1))" "$HOST" - /healthz
bench_measure "bare Django, again" "$PORT" "$HOST" - /healthz
bench_table
