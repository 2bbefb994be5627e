# Convoy: `make demo` serves the demo on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/convoy
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo serve install test test-sqlite test-postgres lint format chromium bench clean

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@echo "compiling the routing kernels (Numba, cached beside the source)"
	$(BIN)/python -c "from convoy.solvers.generate_routing import generate_routing as g; \
	  from convoy.solvers.routing import solve; solve(g(30, seed=0))"
	@touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	CONVOY_ENV=dev $(BIN)/convoy demo
	@echo "Serving http://$(HOST):$(PORT)/  (Ctrl-C stops; 'make demo' again reuses the data)"
	@echo "A background worker runs planner jobs (convoy db_worker); it stops with the server."
	CONVOY_ENV=dev $(BIN)/convoy db_worker --interval 0.5 --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  CONVOY_ENV=dev $(BIN)/convoy runserver $(HOST):$(PORT)

serve: $(BIN)/.installed
	CONVOY_ENV=dev $(BIN)/convoy runserver $(HOST):$(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check src bench conftest.py
	$(BIN)/ruff format --check src bench conftest.py
	$(BIN)/mypy

format: $(BIN)/.installed
	$(BIN)/ruff format src bench conftest.py
	$(BIN)/ruff check --fix src bench conftest.py

# Debian's Chromium for the browser tests (Playwright drives it with executable_path).
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "could not install chromium: browser tests will be skipped"; \
	else echo "no /usr/bin/chromium and not root: browser tests will be skipped"; fi

test-sqlite: $(BIN)/.installed
	$(BIN)/pytest -q

test-postgres: $(BIN)/.installed
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== PostgreSQL run ($(PG_URL)) =="; \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest -q; \
	else echo "SKIPPED: PostgreSQL run: no server answers at $(PG_URL) (SQLite run above is complete)"; fi

test: lint chromium test-sqlite test-postgres

# Every bench/*.py (allocation_e2e.py on SQLite among them), then allocation_e2e.py on PostgreSQL.
bench: $(BIN)/.installed
	@ls bench/*.py >/dev/null 2>&1 && for f in bench/*.py; do $(BIN)/python $$f; done || echo "no benchmarks yet"
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  $(BIN)/python bench/allocation_e2e.py --db postgres --pg-url $(PG_URL); \
	else echo "SKIPPED: allocation_e2e.py on PostgreSQL: no server answers at $(PG_URL)"; fi

clean:
	rm -rf var staticfiles .mypy_cache .ruff_cache
