#!/usr/bin/env bash
# Latency (p50/p99) and throughput of the placement lists and of eligible-students, under
# gunicorn sync workers, measured with wrk, signed in with `Authorization: Bearer <access>`.
#
#   make run   # once (or migrate_schemas + seed_demo on DATABASE_URL), then seed the demo college:
#   .venv/bin/python manage.py seed_college --schema demo --students 10000 --companies 200 \
#       --drives 1000 --applications 50000 --password bench-password-2026
#   bash deploy/bench/lists.sh     # WORKERS=2 THREADS=1 DURATION=10s CONNECTIONS=4 SUBDOMAIN=demo
# THREADS > 1 runs gthread workers, which keep connections alive (as behind deploy/nginx.conf);
# sync workers (the default here) open a connection per request.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${BENCH_PORT:-8766}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-1}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-4}
PASSWORD=${PASSWORD:-bench-password-2026}
HOST="${SUBDOMAIN:-demo}.${PLATFORM_DOMAIN:-localhost}"
BASE="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk is required (Debian package: wrk)" >&2; exit 1; }

export DJANGO_SETTINGS_MODULE=deploy.bench.settings
export JWT_ACCESS_MINUTES=${JWT_ACCESS_MINUTES:-120}  # the tokens outlive the run
export AUTH_THROTTLE_RATE=${AUTH_THROTTLE_RATE:-1000/min}  # runs back to back sign in again
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --threads "$THREADS" --worker-class "$([ "$THREADS" -gt 1 ] && echo gthread || echo sync)" \
    --keep-alive 5 --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -sf -H "Host: $HOST" "$BASE/healthz" >/dev/null && break
    sleep 0.2
done

json() {  # a JSON path of stdin, e.g. json data access
    .venv/bin/python -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1:]:
    value = value[int(key)] if isinstance(value, list) else value[key]
print(value)' "$@"
}
access_token() {  # email -> access token
    curl -sf -H "Host: $HOST" -H "Content-Type: application/json" \
        -d "{\"email\": \"$1\", \"password\": \"$PASSWORD\"}" "$BASE/api/v1/auth/login/" \
        | json data access
}
STAFF=$(access_token seed.coordinator@seed.example.edu)
RECRUITER=$(access_token seed.recruiter@seed.example.edu)
STUDENT=$(access_token seed.student.00001@seed.example.edu)
get() {  # token path
    curl -sf -H "Host: $HOST" -H "Authorization: Bearer $1" "$BASE$2"
}
DRIVE_ID=${DRIVE_ID:-$(get "$STAFF" "/api/v1/drives/?status=open&page_size=1" | json data 0 id)}
ELIGIBLE=$(get "$STAFF" "/api/v1/drives/$DRIVE_ID/eligible-students/?page_size=1" \
    | json pagination total)
echo "college $HOST, drive $DRIVE_ID with $ELIGIBLE eligible students;" \
     "$WORKERS workers x $THREADS threads, $CONNECTIONS connections, $DURATION per endpoint"

measure() {  # label token path
    local out rps p50 p99
    get "$2" "$3" >/dev/null || { echo "$1: $3 failed" >&2; return 1; }
    wrk -t1 -c"$CONNECTIONS" -d2s -H "Host: $HOST" -H "Authorization: Bearer $2" "$BASE$3" \
        >/dev/null  # warm-up
    out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Host: $HOST" \
        -H "Authorization: Bearer $2" "$BASE$3")
    rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    if grep -q "Non-2xx" <<<"$out"; then rps="$rps (errors!)"; fi
    printf "%-34s %-52s %10s %10s %14s\n" "$1" "$3" "$p50" "$p99" "$rps req/s"
}

printf "%-34s %-52s %10s %10s %14s\n" "who" "GET" "p50" "p99" "throughput"
measure "staff: students (20 rows)" "$STAFF" "/api/v1/students/"
measure "staff: students, search+filter" "$STAFF" "/api/v1/students/?search=SEED00&department=CSE&ordering=-cgpa"
measure "staff: drives" "$STAFF" "/api/v1/drives/"
measure "staff: applications" "$STAFF" "/api/v1/applications/"
measure "staff: applications, filtered" "$STAFF" "/api/v1/applications/?status=shortlisted&ordering=-status_changed_at"
measure "staff: interviews" "$STAFF" "/api/v1/interviews/"
measure "staff: offers" "$STAFF" "/api/v1/offers/"
measure "staff: interview slots" "$STAFF" "/api/v1/interview-slots/"
measure "staff: announcements (read counts)" "$STAFF" "/api/v1/announcements/"
measure "staff: skills" "$STAFF" "/api/v1/skills/"
measure "staff: eligible-students" "$STAFF" "/api/v1/drives/$DRIVE_ID/eligible-students/"
measure "staff: eligible-students, 100 rows" "$STAFF" "/api/v1/drives/$DRIVE_ID/eligible-students/?page_size=100"
measure "recruiter: drives" "$RECRUITER" "/api/v1/drives/"
measure "recruiter: applications" "$RECRUITER" "/api/v1/applications/"
measure "student: eligible open drives" "$STUDENT" "/api/v1/drives/"
measure "student: own applications" "$STUDENT" "/api/v1/applications/"
measure "student: slots to pick" "$STUDENT" "/api/v1/interview-slots/"
measure "student: own announcements" "$STUDENT" "/api/v1/announcements/"
measure "floor: signed-in user, 1 row" "$STAFF" "/api/v1/auth/user/"
measure "floor: /healthz (no auth, no db)" "$STAFF" "/healthz"
