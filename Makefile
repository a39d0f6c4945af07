# The two commands of the README: `make demo` and `make test`. Both build .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint test-sqlite test-postgres bench bench-load clean soak soak-concurrency soak-faults soak-fuzz

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
	env -u QINLIN_DATABASE_URL $(BIN)/python -m pytest -p no:cacheprovider -m "not soak" --durations=15

# PostgreSQL runs when it answers at 127.0.0.1:5432; otherwise the skip is said out loud. The
# browser tests run once, on SQLite: they drive pages, and every page's queries run here too.
test-postgres: $(STAMP)
	@if $(BIN)/python -m qinlin.core.pgcheck "$(PG_URL)"; then \
		echo "== Test suite on PostgreSQL ($(PG_URL)) =="; \
		QINLIN_DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -p no:cacheprovider -m "not soak" --durations=15 \
			--ignore=tests/e2e; \
	else \
		echo "PostgreSQL suite: SKIPPED (no PostgreSQL answering at $(PG_URL))"; \
	fi

test: lint test-sqlite test-postgres

# The long load runs of docs/security.md §6 (minutes, not seconds; not part of `make test`):
# the 200-client tests for SOAK_ROUNDS rounds with more homes on PostgreSQL, and the eight
# SQLite writers over a hundred homes a round.
SOAK_ROUNDS ?= 5
soak-concurrency: $(STAMP)
	@echo "== Soak: eight writers on a SQLite file =="
	env -u QINLIN_DATABASE_URL QINLIN_SOAK_ROUNDS=$(SOAK_ROUNDS) \
		$(BIN)/python -m pytest -p no:cacheprovider -s tests/core/test_sqlite_writers.py
	@if $(BIN)/python -m qinlin.core.pgcheck "$(PG_URL)"; then \
		echo "== Soak: 200 clients on PostgreSQL ($(PG_URL)) =="; \
		QINLIN_DATABASE_URL="$(PG_URL)" QINLIN_SOAK_ROUNDS=$(SOAK_ROUNDS) \
			$(BIN)/python -m pytest -p no:cacheprovider -s --durations=0 \
			tests/votes/test_concurrency.py tests/organisations/test_activity_concurrency.py \
			tests/evaluation/test_concurrency.py; \
	else \
		echo "PostgreSQL soak: SKIPPED (no PostgreSQL answering at $(PG_URL))"; \
	fi

# The long fault runs (docs/security.md §7): the server killed mid-ingestion on SQLite and
# PostgreSQL, and a private PostgreSQL cluster stopped mid-run. Each line its own variable,
# so other soak parts sit beside them.
SOAK_FAULTS := tests/votes/test_server_kill.py tests/core/test_database_down.py
soak-faults: $(STAMP)
	@echo "== Fault runs on SQLite =="
	env -u QINLIN_DATABASE_URL $(BIN)/python -m pytest -p no:cacheprovider -m soak -s $(SOAK_FAULTS)
	@if $(BIN)/python -m qinlin.core.pgcheck "$(PG_URL)"; then \
		echo "== Fault runs on PostgreSQL ($(PG_URL)) =="; \
		QINLIN_DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -p no:cacheprovider -m soak -s \
			tests/votes/test_server_kill.py; \
	else \
		echo "Fault runs on PostgreSQL: SKIPPED (no PostgreSQL answering at $(PG_URL))"; \
	fi

soak: soak-concurrency soak-faults soak-fuzz

bench: $(STAMP)
	$(BIN)/python bench/import_homes.py
	$(BIN)/python bench/appeals_grouping.py
	$(BIN)/python bench/votes.py
	$(BIN)/python bench/dashboard.py

# The API fuzz of docs/security.md §5 with 500 cases per operation and role.
soak-fuzz: $(STAMP)
	$(BIN)/python bench/fuzz_api.py
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
