# The two commands of the README: `make demo` and `make test`. Both build .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint test-sqlite test-postgres bench bench-load clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/qinlin demo --host $(HOST) --port $(PORT)

lint: $(STAMP)
	QINLIN_DATA_DIR=$$(mktemp -d) $(BIN)/qinlin makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src tests bench

test-sqlite: $(STAMP)
	@echo "== Test suite on SQLite =="
	env -u QINLIN_DATABASE_URL $(BIN)/python -m pytest -p no:cacheprovider

# PostgreSQL runs when it answers at 127.0.0.1:5432; otherwise the skip is said out loud.
test-postgres: $(STAMP)
	@if $(BIN)/python -m qinlin.core.pgcheck "$(PG_URL)"; then \
		echo "== Test suite on PostgreSQL ($(PG_URL)) =="; \
		QINLIN_DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -p no:cacheprovider; \
	else \
		echo "PostgreSQL suite: SKIPPED (no PostgreSQL answering at $(PG_URL))"; \
	fi

test: lint test-sqlite test-postgres

bench: $(STAMP)
	$(BIN)/python bench/import_homes.py
	$(BIN)/python bench/appeals_grouping.py
	$(BIN)/python bench/votes.py
	$(BIN)/python bench/dashboard.py

# The load bench against gunicorn (bench/load.py; options: bench/load.py --help), e.g.
#   make bench-load LOAD_ARGS="--users 10 --saturation-users ''"
#   make bench-load LOAD_ARGS="--database-url postgres://postgres@127.0.0.1:5432/qinlin_city"
#   make bench-load LOAD_ARGS="--nginx"     (needs nginx: apt-get install -y nginx)
LOAD_ARGS ?=
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench,postgres]'
	touch $(BENCH_STAMP)

bench-load: $(BENCH_STAMP)
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache
