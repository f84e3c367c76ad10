#!/usr/bin/env bash
# The drive rush: 2,000 distinct students of one college sign in and open their drives and their
# applications within 60 s while staff move applicants (rush.py), on WORKERS sync workers (2),
# with bare Django measured in the same run (bench.sh). Sign-ins come from one address here:
# rush_settings.py relaxes the per-address sign-in throttle, and only it.
#
# On the database of speed.sh (the 10,000-student college of seed_college):
#   bash deploy/bench/rush.sh     # STUDENTS=2000 RUSH_SECONDS=60 MOVERS=2 MOVES_PER_SECOND=4 FIRST=1
# A second run signs the same students in again; FIRST=2001 takes the next 2,000.
# RUSH_HASHER=md5 (bench only, see rush_settings.py) measures the rush without Argon2's cost.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/bench/bench.sh

PORT=${BENCH_PORT:-8871}
HOST="${SUBDOMAIN:-demo}.${PLATFORM_DOMAIN:-localhost}"
BENCH_HOST=$HOST
export JWT_ACCESS_MINUTES=${JWT_ACCESS_MINUTES:-120}
export RUSH_HASHER=${RUSH_HASHER:-argon2}
bench_serve bare "$PORT" deploy.bench.bare
bench_serve project "$((PORT + 1))" deploy.bench.rush_settings

echo "college $HOST; $WORKERS sync workers; $(nproc) CPUs; passwords hashed with $RUSH_HASHER;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
bench_measure "bare Django" "$PORT" "$HOST" - /healthz
bench_measure "a college host's /healthz" "$((PORT + 1))" "$HOST" - /healthz
bench_table
DJANGO_SETTINGS_MODULE=deploy.bench.rush_settings .venv/bin/python deploy/bench/rush.py \
    --base "http://127.0.0.1:$((PORT + 1))" --host "$HOST" --students "${STUDENTS:-2000}" \
    --seconds "${RUSH_SECONDS:-60}" --movers "${MOVERS:-2}" \
    --moves-per-second "${MOVES_PER_SECOND:-4}" --first "${FIRST:-1}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
