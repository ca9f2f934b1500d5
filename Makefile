# Patient Capital. The two commands a newcomer needs:
#   make run    install everything, build the demo zone on SQLite, serve http://127.0.0.1:8000
#   make test   install everything, run the whole test suite (SQLite unless DATABASE_URL is set)

SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PC := $(UV) run --frozen patientcap
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install uv deps assets browser migrate demo serve lint bench messages ci

run: install migrate demo serve

test: install browser
	$(UV) run --frozen pytest $(PYTEST_ARGS)

install: uv deps assets

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
	  || python3 -m pip install --quiet --user uv

deps:
	$(UV) sync --frozen

assets:
	@[ -f node_modules/.package-lock.json ] && cmp -s package-lock.json node_modules/.package-lock.json \
	  || npm ci --no-audit --no-fund

# Browser tests drive Debian's Chromium; install it when we may (root), else they are skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: browser tests will be skipped"; }

migrate:
	$(PC) migrate --no-input
	$(PC) collectstatic --no-input -v 0

demo:
	$(PC) demo --if-empty

# The web server and the job worker (imports and other long work run as background jobs).
serve:
	@echo "Patient Capital is at http://$(HOST):$(PORT)/  (demo users: see README.md)"
	$(PC) db_worker --no-reload & W=$$!; trap 'kill $$W 2>/dev/null' EXIT INT TERM; \
	$(UV) run --frozen gunicorn patientcap.wsgi --bind $(HOST):$(PORT) --workers 3 --access-logfile -

lint:
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports
	$(UV) run --frozen mypy

bench: install
	$(UV) run --frozen python -m benchmarks.run

messages:
	cd src/patientcap && DEBUG=1 $(UV) run --frozen patientcap makemessages -l zh_Hans --no-obsolete --ignore 'migrations/*' --ignore 'locale/*'
	cd src/patientcap && DEBUG=1 $(UV) run --frozen patientcap compilemessages
