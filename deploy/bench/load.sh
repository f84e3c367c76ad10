#!/usr/bin/env bash
# Load test of the demo college under gunicorn (deploy/gunicorn.conf.py), with wrk: every endpoint
# of a realistic mix on its own (throughput, p50/p99) against bare Django (bench.sh: no
# middleware, one JsonResponse view, the same workers) measured in the same run, then a soak on
# the mix, with the workers' memory (RSS) at its start and end.
#
# On a database of its own (not the one of `make run`):
#   createdb -h 127.0.0.1 -U postgres loadtest
#   export DATABASE_URL=postgres://postgres@127.0.0.1:5432/loadtest REDIS_URL=redis://127.0.0.1:6379/12
#   .venv/bin/python manage.py migrate_fleet && .venv/bin/python manage.py seed_demo
#   .venv/bin/python manage.py seed_college --schema demo --students 2000 --companies 100 \
#       --drives 300 --applications 10000 --password bench-password-2026
#   bash deploy/bench/load.sh      # WORKERS=2 CONNECTIONS=4 DURATION=10s SOAK=600s (0: none)
#
# Results: printed, and kept in deploy/bench/results/ (server log, RSS samples, raw wrk output).
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${BENCH_PORT:-8767}
WORKERS=${WORKERS:-2}
CONNECTIONS=${CONNECTIONS:-4}
DURATION=${DURATION:-10s}
SOAK=${SOAK:-600s}
PASSWORD=${PASSWORD:-bench-password-2026}
HOST="${SUBDOMAIN:-demo}.${PLATFORM_DOMAIN:-localhost}"
BASE="http://127.0.0.1:$PORT"
RESULTS=deploy/bench/results
STAMP=$(date +%Y%m%d-%H%M%S)
source deploy/bench/bench.sh
mkdir -p "$RESULTS"

export DJANGO_SETTINGS_MODULE=deploy.bench.load_settings
export AUTH_THROTTLE_RATE=${AUTH_THROTTLE_RATE:-1000000/min}  # one client IP signs everybody in
export JWT_ACCESS_MINUTES=${JWT_ACCESS_MINUTES:-240}            # tokens outlive the run
export WEB_CONCURRENCY=$WORKERS GUNICORN_THREADS=1
export GUNICORN_MAX_REQUESTS=0   # no recycling: the soak must show memory growth if there is any
.venv/bin/gunicorn config.wsgi --config deploy/gunicorn.conf.py --bind "127.0.0.1:$PORT" \
    2>"$RESULTS/load-$STAMP-server.log" &
GUNICORN=$!
SAMPLER=
cleanup() {
    [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
    kill "$GUNICORN" 2>/dev/null
    wait "$GUNICORN" 2>/dev/null || true
    bench_stop
}
trap cleanup EXIT
for _ in $(seq 1 100); do
    curl -sf -H "Host: $HOST" "$BASE/healthz" >/dev/null && break
    sleep 0.2
done
BARE_PORT=$((PORT + 1))
bench_serve bare "$BARE_PORT" deploy.bench.bare

CONFIG="$RESULTS/load-$STAMP-config.lua"
.venv/bin/python deploy/bench/load_prepare.py --base "$BASE" --host "$HOST" --out "$CONFIG" \
    --password "$PASSWORD"
export LOAD_CONFIG="$CONFIG"

rss() {  # the workers' resident memory: "n workers, total MB, max MB"
    ps -o rss= --ppid "$GUNICORN" | awk '{s += $1; n++; if ($1 > m) m = $1}
        END {printf "%d workers, %.1f MB total, %.1f MB max", n, s / 1024, m / 1024}'
}
run() {  # mix threads connections duration [base] -> the RESULT line
    LOAD_MIX=$1 wrk -t"$2" -c"$3" -d"$4" --timeout 10s --latency -s deploy/bench/mix.lua \
        -H "Host: $HOST" "${5:-$BASE}" \
        | tee -a "$RESULTS/load-$STAMP-wrk.txt" | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "college $HOST; $WORKERS sync workers; $CONNECTIONS connections; $DURATION per endpoint;" \
     "soak $SOAK; $(nproc) CPUs"
ENDPOINTS="healthz me students student drives drive applications companies apply login"
grep -q "dashboard = true" "$CONFIG" && ENDPOINTS="$ENDPOINTS dashboard"
BARE="http://127.0.0.1:$BARE_PORT"
run bare 1 "$CONNECTIONS" 3s "$BARE" >/dev/null
for name in floor $ENDPOINTS; do run "$name" 1 "$CONNECTIONS" 3s >/dev/null; done  # warm-up
# Bare Django before and after the endpoints: its mean is what every endpoint is compared with,
# and the two runs show how steady the machine was. `floor` is the project's middleware without
# tenancy.
bare_before=$(run bare 1 "$CONNECTIONS" "$DURATION" "$BARE")
lines=()
for name in floor $ENDPOINTS; do lines+=("$(run "$name" 1 "$CONNECTIONS" "$DURATION")"); done
bare_after=$(run bare 1 "$CONNECTIONS" "$DURATION" "$BARE")
bare_rps=$(echo "($(field rps <<<"$bare_before") + $(field rps <<<"$bare_after")) / 2" | bc -l)
printf "%-14s %10s %10s %10s %10s  %s\n" endpoint req/s p50_ms p99_ms "vs bare" statuses
for line in "$bare_before" "${lines[@]}" "$bare_after"; do
    rps=$(field rps <<<"$line")
    printf "%-14s %10s %10s %10s %10s  %s\n" "$(awk '{print $2}' <<<"$line")" "$rps" \
        "$(field p50 <<<"$line")" "$(field p99 <<<"$line")" \
        "$(echo "100 * $rps / $bare_rps" | bc -l | xargs printf '%.1f%%')" \
        "$(field statuses <<<"$line")"
done

[ "$SOAK" = 0 ] && exit 0
echo "soak: the mix for $SOAK, $CONNECTIONS connections"
echo "RSS at start: $(rss)"
(while sleep 60; do echo "$(date +%T) $(rss)"; done) >"$RESULTS/load-$STAMP-rss.txt" &
SAMPLER=$!
line=$(run soak "$CONNECTIONS" "$CONNECTIONS" "$SOAK")
echo "RSS at end:   $(rss)"
echo "soak: $(field rps <<<"$line") req/s, p50 $(field p50 <<<"$line") ms," \
     "p90 $(field p90 <<<"$line") ms, p99 $(field p99 <<<"$line") ms," \
     "$(field requests <<<"$line") requests, $(field errors <<<"$line") socket errors"
echo "soak statuses: $(field statuses <<<"$line")"
echo "RSS every minute: $RESULTS/load-$STAMP-rss.txt"
