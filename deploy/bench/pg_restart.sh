#!/usr/bin/env bash
# PostgreSQL restarted under load: requests must fail fast with a 503 `service_unavailable`
# envelope while it is down, then succeed again without restarting the app (CONN_HEALTH_CHECKS
# replaces the dead persistent connections). Restarts the PostgreSQL cluster at 127.0.0.1:5432:
# everything else using it sees its connections dropped.
#
#   bash deploy/bench/pg_restart.sh   # the seeded load-test database (see load.sh); WORKERS=2
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${BENCH_PORT:-8768}
WORKERS=${WORKERS:-2}
PASSWORD=${PASSWORD:-bench-password-2026}
HOST="${SUBDOMAIN:-demo}.${PLATFORM_DOMAIN:-localhost}"
BASE="http://127.0.0.1:$PORT"
RESTART=${RESTART_COMMAND:-pg_ctlcluster --skip-systemctl-redirect -m fast 15 main restart}

export DJANGO_SETTINGS_MODULE=deploy.bench.settings
export WEB_CONCURRENCY=$WORKERS GUNICORN_THREADS=1 AUTH_THROTTLE_RATE=1000/min
mkdir -p deploy/bench/results
.venv/bin/gunicorn config.wsgi --config deploy/gunicorn.conf.py --bind "127.0.0.1:$PORT" \
    2>"deploy/bench/results/pg-restart-$(date +%Y%m%d-%H%M%S)-server.log" &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -sf -H "Host: $HOST" "$BASE/healthz" >/dev/null && break
    sleep 0.2
done
TOKEN=$(curl -sf -H "Host: $HOST" -H "Content-Type: application/json" \
    -d "{\"email\": \"seed.coordinator@seed.example.edu\", \"password\": \"$PASSWORD\"}" \
    "$BASE/api/v1/auth/login/" | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["data"]["access"])')
.venv/bin/python deploy/bench/pg_restart.py --base "$BASE" --host "$HOST" --token "$TOKEN" \
    --restart-command "$RESTART" "$@"
