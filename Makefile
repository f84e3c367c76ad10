# Placemate: `make run` serves a demo college, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: install run test lint format migrate seed bench clean

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate_fleet

seed: install
	$(PY) manage.py seed_demo --port $(PORT)

# Migrates, seeds the demo college, then runs the web server, a Celery worker and beat until
# Ctrl-C (config/devserver.py); RUN_ARGS=--skip-setup serves at once, --no-reload without reloader.
run: install
	$(PY) -m config.devserver --port $(PORT) $(RUN_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint
	$(VENV)/bin/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: install
	bash deploy/bench/healthz.sh

clean:
	rm -rf $(VENV) .data staticfiles
