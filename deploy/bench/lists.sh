#!/usr/bin/env bash
# Latency (p50/p99) and throughput of the placement lists and of eligible-students, under
# gunicorn sync workers, measured with wrk, signed in with `Authorization: Bearer <access>`,
# against bare Django under the same gunicorn in the same run (bench.sh).
#
#   make run   # once (or migrate_schemas + seed_demo on DATABASE_URL), then seed the demo college:
#   .venv/bin/python manage.py seed_college --schema demo --students 10000 --companies 200 \
#       --drives 1000 --applications 50000 --password bench-password-2026
#   bash deploy/bench/lists.sh     # WORKERS=2 DURATION=10s CONNECTIONS=4 SUBDOMAIN=demo
set -euo pipefail
cd "$(dirname "$0")/../.."

source deploy/bench/bench.sh

PORT=${BENCH_PORT:-8766}
PASSWORD=${PASSWORD:-bench-password-2026}
HOST="${SUBDOMAIN:-demo}.${PLATFORM_DOMAIN:-localhost}"
BASE="http://127.0.0.1:$((PORT + 1))"
BENCH_HOST=$HOST

export JWT_ACCESS_MINUTES=${JWT_ACCESS_MINUTES:-120}  # the tokens outlive the run
export AUTH_THROTTLE_RATE=${AUTH_THROTTLE_RATE:-1000/min}  # runs back to back sign in again
bench_serve bare "$PORT" deploy.bench.bare
bench_serve project "$((PORT + 1))" deploy.bench.settings

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
     "$WORKERS sync workers, $CONNECTIONS connections, $DURATION per endpoint"

measure() {  # label token path
    bench_measure "$1" "$((PORT + 1))" "$HOST" "$2" "$3"
}

bench_measure "bare Django" "$PORT" "$HOST" - /healthz
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
measure "staff: verification queue" "$STAFF" "/api/v1/students/?verification_status=submitted&ordering=verification_submitted_at"
measure "staff: offer tiers" "$STAFF" "/api/v1/offer-tiers/"
measure "staff: a drive's named students" "$STAFF" "/api/v1/drives/$DRIVE_ID/student-list/"
measure "staff: eligible-students" "$STAFF" "/api/v1/drives/$DRIVE_ID/eligible-students/"
measure "staff: eligible-students, 100 rows" "$STAFF" "/api/v1/drives/$DRIVE_ID/eligible-students/?page_size=100"
measure "recruiter: drives" "$RECRUITER" "/api/v1/drives/"
measure "recruiter: applications" "$RECRUITER" "/api/v1/applications/"
measure "student: eligible open drives" "$STUDENT" "/api/v1/drives/"
measure "student: own applications" "$STUDENT" "/api/v1/applications/"
measure "student: slots to pick" "$STUDENT" "/api/v1/interview-slots/"
measure "student: own announcements" "$STUDENT" "/api/v1/announcements/"
measure "signed-in user, 1 row" "$STAFF" "/api/v1/auth/user/"
measure "/healthz (no auth, no db)" "$STAFF" "/healthz"
bench_measure "bare Django, again" "$PORT" "$HOST" - /healthz
bench_table
