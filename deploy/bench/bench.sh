# Sourced by the benchmarks of this directory: the servers they measure and how they measure.
#
# Every benchmark starts bare Django (deploy/bench/bare.py: no middleware, one JsonResponse
# view) under the same gunicorn options as the project, in the same run, and gives each row its
# share of bare Django's throughput. Both run WORKERS sync workers (2 by default); wrk uses
# CONNECTIONS connections (4) for DURATION (10s) per row, after a 2-second warm-up.
#
#   bench_serve NAME PORT SETTINGS [VAR=value ...]   start a gunicorn (the project, or bare
#                                                    Django with SETTINGS=deploy.bench.bare)
#   bench_measure LABEL PORT HOST TOKEN PATH [SCRIPT] one wrk row (TOKEN "-": none)
#   bench_table                                       the rows, with their share of bare Django
#                                                    (the mean of its rows: first and last)
WORKERS=${WORKERS:-2}
CONNECTIONS=${CONNECTIONS:-4}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
command -v wrk >/dev/null || { echo "wrk is required (Debian package: wrk)" >&2; exit 1; }

BENCH_PIDS=()
BENCH_ROWS=()

bench_stop() {
    local pid
    for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${BENCH_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap bench_stop EXIT

bench_serve() {  # name port settings [VAR=value ...]
    local name=$1 port=$2 settings=$3
    shift 3
    env "$@" DJANGO_SETTINGS_MODULE="$settings" .venv/bin/gunicorn \
        'django.core.wsgi:get_wsgi_application()' --bind "127.0.0.1:$port" \
        --workers "$WORKERS" --worker-class sync --keep-alive 5 --log-level warning \
        --name "bench-$name" &
    BENCH_PIDS+=($!)
    for _ in $(seq 1 150); do
        curl -s -o /dev/null -H "Host: ${BENCH_HOST:-localhost}" "http://127.0.0.1:$port/healthz" \
            && return 0
        sleep 0.2
    done
    echo "$name did not start on port $port" >&2
    return 1
}

_ms() {  # a wrk duration (850.00us, 1.20ms, 1.02s) in milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000
        else if (v ~ /m$/) n *= 60000
        printf "%.2f", n }'
}

bench_measure() {  # label port host token path [lua script]
    local label=$1 port=$2 host=$3 token=$4 path=$5 script=${6:-} out rps p50 p99 errors
    local headers=(-H "Host: $host") url="http://127.0.0.1:$port$path"
    [ "$token" != - ] && headers+=(-H "Authorization: Bearer $token")
    curl -sf -o /dev/null "${headers[@]}" "$url" || { echo "$label: $path failed" >&2; return 1; }
    local args=(-t1 -c"$CONNECTIONS" --latency "${headers[@]}")
    [ -n "$script" ] && args+=(-s "$script")
    wrk "${args[@]}" -d"$WARMUP" "$url" >/dev/null
    out=$(wrk "${args[@]}" -d"$DURATION" "$url")
    rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
    p50=$(_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    p99=$(_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {n += 1} END {print n + 0}' <<<"$out")
    BENCH_ROWS+=("$label|$rps|$p50|$p99|$errors")
    printf "  measured %-48s %6s req/s  p50 %7s ms\n" "$label" "$rps" "$p50" >&2
}

bench_table() {  # shares of the mean of the rows whose label starts with "bare Django"
    local row label rps p50 p99 errors sum=0 n=0
    for row in "${BENCH_ROWS[@]}"; do
        IFS='|' read -r label rps p50 p99 errors <<<"$row"
        [[ $label == "bare Django"* ]] && sum=$((sum + rps)) n=$((n + 1))
    done
    BARE_RPS=$((sum / (n > 0 ? n : 1)))
    echo "| request | req/s | p50 (ms) | p99 (ms) | share of bare Django | errors |"
    echo "|---|---:|---:|---:|---:|---:|"
    for row in "${BENCH_ROWS[@]}"; do
        IFS='|' read -r label rps p50 p99 errors <<<"$row"
        printf "| %s | %s | %s | %s | %s | %s |\n" "$label" "$rps" "$p50" "$p99" \
            "$(awk -v r="$rps" -v b="$BARE_RPS" 'BEGIN {printf "%.1f%%", 100 * r / b}')" "$errors"
    done
}
