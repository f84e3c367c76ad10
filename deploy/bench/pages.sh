#!/usr/bin/env bash
# Server time (p50/p99) of every workspace page on a 10,000-student college, in process with
# Django's test client, against bare Django's floor of the same run (deploy/bench/pages.py).
#
#   make run   # once (or migrate_fleet + seed_demo on DATABASE_URL), then:
#   bash deploy/bench/pages.sh     # SUBDOMAIN=demo REQUESTS=50 ONLY=<text of the routes to time>
# The first run adds the 10,000 students (a few minutes); later runs only check they are there.
set -euo pipefail
cd "$(dirname "$0")/../.."

SUBDOMAIN=${SUBDOMAIN:-demo}
export DJANGO_SETTINGS_MODULE=deploy.bench.settings
.venv/bin/python manage.py seed_college --schema "$SUBDOMAIN" --students 10000 --companies 200 \
    --drives 1000 --applications 50000 --assessments 20 --audit-entries 100000
.venv/bin/python deploy/bench/pages.py --subdomain "$SUBDOMAIN" --requests "${REQUESTS:-50}" \
    --only "${ONLY:-}"
