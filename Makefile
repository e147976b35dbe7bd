# SmartCare: `make run` starts the hub with demo data; `make test` runs the test suite.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install run test test-sqlite test-postgres lint format bench clean

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --progress-bar off -e '.[hub,edge,dev]'
	@touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/smartcare-hub init-db
	$(BIN)/smartcare-hub seed-demo
	@echo "SmartCare hub on http://$(HOST):$(PORT)  (Ctrl-C stops it)"
	$(BIN)/smartcare-hub run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-sqlite: install
	$(BIN)/pytest

# The hub's suite again on PostgreSQL (skipped with a notice when no server answers).
test-postgres: install
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)'.replace('+psycopg',''), connect_timeout=3).close()" 2>/dev/null; then \
		SMARTCARE_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest tests/hub tests/attendance tests/ingest tests/scheduler tests/surveillance tests/fieldcare tests/clinic; \
	else echo "PostgreSQL at $(PG_TEST_URL) not reachable: PostgreSQL run skipped"; fi

test: lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
