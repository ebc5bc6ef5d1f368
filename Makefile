# VetClinic: `make run` to serve a working clinic, `make test` to prove it.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test e2e messages install migrate demo lint check schema clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 ($(PYTHON)) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements/base.txt requirements/dev.txt requirements/prod.txt
	$(BIN)/pip install --quiet -r requirements/dev.txt -r requirements/prod.txt
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Demo data only on an empty database, and only once the command exists.
demo: migrate
	@if $(BIN)/python manage.py help datos_demo >/dev/null 2>&1; then \
		$(BIN)/python manage.py datos_demo --si-vacia; \
	fi

run: demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

# Real-browser smoke suite (e2e/): needs Debian's Chromium at /usr/bin/chromium
# (`apt-get install chromium`); screenshots in artifacts/e2e/.
e2e: install
	$(BIN)/pytest -m browser e2e

# Refresh the English catalog after changing messages (needs gettext); commit the .po and .mo.
messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=bench --ignore=artifacts --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l en -l es --ignore=.venv

lint: install
	$(BIN)/ruff check .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=vetclinic.settings.prod SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
		ALLOWED_HOSTS=vetclinic.example $(BIN)/python manage.py check --deploy --fail-level WARNING

schema: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Benchmark on PostgreSQL (bench/run.py --help): `make bench BENCH_ARGS="--scale 0.05"` for a quick run.
BENCH_ARGS ?=
.PHONY: bench
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
