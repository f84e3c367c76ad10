#!/usr/bin/env sh
# The release step, run once per deploy before the new web processes take traffic:
# migrate the public schema, the template and every college schema that is behind.
set -eu
cd "$(dirname "$0")/.."
python manage.py migrate_fleet
