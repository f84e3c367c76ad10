#!/usr/bin/env bash
# Tenancy overhead: a college host's /healthz (tenant resolved) against the floor view that skips
# tenancy, in one run under gunicorn sync workers, measured with wrk.
#
#   make run   # once, so that the demo college exists (or set DATABASE_URL to a seeded database)
#   bash deploy/bench/healthz.sh        # WORKERS=2 DURATION=10s CONNECTIONS=8 ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${BENCH_PORT:-8765}
WORKERS=${WORKERS:-2}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
ROUNDS=${ROUNDS:-3}
HOST="demo.${PLATFORM_DOMAIN:-localhost}"
command -v wrk >/dev/null || { echo "wrk is required (Debian package: wrk)" >&2; exit 1; }

export DJANGO_SETTINGS_MODULE=deploy.bench.settings
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --worker-class sync --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
    curl -sf -H "Host: $HOST" "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.2
done

rps() {  # path -> requests per second
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -H "Host: $HOST" "http://127.0.0.1:$PORT$1" \
        | awk '/Requests\/sec/ {print $2}'
}

rps /floor/healthz >/dev/null  # warm-up: connections, caches, imports
rps /healthz >/dev/null
floor_total=0
college_total=0
for round in $(seq 1 "$ROUNDS"); do
    floor=$(rps /floor/healthz)
    college=$(rps /healthz)
    echo "round $round: floor ${floor} req/s, college host ${college} req/s"
    floor_total=$(echo "$floor_total + $floor" | bc -l)
    college_total=$(echo "$college_total + $college" | bc -l)
done
echo "mean: floor $(echo "$floor_total / $ROUNDS" | bc -l | xargs printf '%.0f') req/s," \
     "college host $(echo "$college_total / $ROUNDS" | bc -l | xargs printf '%.0f') req/s," \
     "ratio $(echo "100 * $college_total / $floor_total" | bc -l | xargs printf '%.1f')%"
