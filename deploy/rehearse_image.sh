#!/usr/bin/env bash
# Rehearse deploy/Dockerfile's steps where no Docker engine is available: the same commands in a
# scratch folder, in the same order, with the same placeholders, then the image's command and
# its health check against a real PostgreSQL and Redis.
#
#   bash deploy/rehearse_image.sh     # REHEARSAL_DATABASE (dropped and created), REDIS_URL, PORT
#
# The database is a new one (default postgres://postgres@127.0.0.1:5432/placemate_rehearsal,
# dropped first): the release step migrates it, as on a first deploy.
#
# What it cannot check: the base image (python:3.11-slim), the Debian packages of the builder
# stage, and the non-root user; `docker build -f deploy/Dockerfile .` remains the real test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
PORT=${PORT:-8799}
PYTHON=${PYTHON:-python3.11}
trap 'kill "${GUNICORN:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
step() { printf '\n== %s\n' "$*"; }

step "builder: every dependency as a wheel"
"$PYTHON" -m venv "$WORK/builder"
"$WORK/builder/bin/pip" install --quiet --upgrade pip wheel
"$WORK/builder/bin/pip" wheel --quiet --wheel-dir "$WORK/wheels" -r "$ROOT/requirements/production.txt"
ls "$WORK/wheels" | wc -l | xargs echo "wheels:"

step "runtime: install from the wheels only (--no-index)"
"$PYTHON" -m venv "$WORK/runtime"
"$WORK/runtime/bin/pip" install --quiet --no-cache-dir --no-index --find-links="$WORK/wheels" \
    -r "$ROOT/requirements/production.txt"

step "COPY . . (the files git tracks: what .dockerignore lets through is a subset)"
mkdir "$WORK/app"
git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 cp --parents -t "$WORK/app")
cd "$WORK/app"

step "collectstatic and compileall with the build-time placeholders"
SECRET_KEY=build-time-placeholder-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
DATABASE_URL=postgres://build:build@127.0.0.1:5432/build \
REDIS_URL=redis://127.0.0.1:6379/0 \
PLATFORM_DOMAIN=build.invalid \
EMAIL_URL=consolemail:// \
STRIPE_SECRET_KEY=sk_build_placeholder \
STRIPE_WEBHOOK_SECRET=whsec_build_placeholder \
DJANGO_SETTINGS_MODULE=config.settings.production \
    "$WORK/runtime/bin/python" manage.py collectstatic --noinput --verbosity 0
"$WORK/runtime/bin/python" -m compileall -q config core shared_apps tenant_apps tenants
find staticfiles -type f | wc -l | xargs echo "static files:"

step "release step (deploy/release.sh) on a new database, then CMD: gunicorn, then the HEALTHCHECK"
export DJANGO_SETTINGS_MODULE=config.settings.production PORT
export SECRET_KEY=rehearsal-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789
export DATABASE_URL=${REHEARSAL_DATABASE:-postgres://postgres@127.0.0.1:5432/placemate_rehearsal}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export PLATFORM_DOMAIN=rehearsal.localhost EMAIL_URL=consolemail://
export STRIPE_SECRET_KEY=sk_rehearsal STRIPE_WEBHOOK_SECRET=whsec_rehearsal
export SECURE_SSL_REDIRECT=false  # no TLS-terminating proxy in front here
export WEB_CONCURRENCY=2 PATH="$WORK/runtime/bin:$PATH"
python - <<'PY'
import os, urllib.parse as p, psycopg2
url = p.urlsplit(os.environ["DATABASE_URL"])
admin = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username,
                         password=url.password, dbname="postgres")
admin.autocommit = True
name = url.path.lstrip("/")
with admin.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    cursor.execute(f'CREATE DATABASE "{name}"')
PY
sh deploy/release.sh
gunicorn config.wsgi --config deploy/gunicorn.conf.py --bind "127.0.0.1:$PORT" &
GUNICORN=$!
healthy=
for _ in $(seq 1 50); do
    python -c "import os, urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', headers={'Host': os.environ['PLATFORM_DOMAIN']}), timeout=2)" \
        2>/dev/null && { healthy=yes; break; }
    sleep 0.2
done
[ -n "$healthy" ] || { echo "FAIL: the health check never passed" >&2; exit 1; }
echo "healthy: the image's HEALTHCHECK passes under the production settings"
asset=$(cd staticfiles && find . -name '*.css' | head -1 | sed 's|^\./||')
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $PLATFORM_DOMAIN" \
    "http://127.0.0.1:$PORT/static/$asset")
echo "GET /static/$asset (WhiteNoise, from the collected files): $status"
[ "$status" = 200 ] || { echo "FAIL" >&2; exit 1; }
echo "PASS"
