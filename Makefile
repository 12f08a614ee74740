# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml package.json | sha1sum | cut -c1-12)
export SIGHTLINE_HOME ?= $(CURDIR)/var

.PHONY: setup demo test test-fast crash lint bench bench-quality load clean

$(STAMP): pyproject.toml package.json
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm install --no-audit --no-fund --silent
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)
	@bash scripts/ensure-chromium.sh
	@bash scripts/ensure-nginx.sh

demo: setup
	$(BIN)/sightline demo

# The whole suite, on SQLite by default or on PostgreSQL when DATABASE_URL is set, measuring coverage
# of src/sightline: below [tool.coverage.report] fail_under in pyproject.toml, it fails.
test: setup
	SIGHTLINE_HOME=$(CURDIR)/var/test $(BIN)/pytest -n auto --dist loadfile --durations=15 \
		--cov --cov-report=term

# SIGKILL of `serve` and `import` under concurrent writers, 20 trials (docs/reliability.md).
CRASH_TRIALS ?= 20
crash: setup
	SIGHTLINE_HOME=$(CURDIR)/var/crash SIGHTLINE_CRASH_TRIALS=$(CRASH_TRIALS) \
	SIGHTLINE_CRASH_REPORT=$(CURDIR)/var/crash-report.json \
	$(BIN)/pytest -p no:cacheprovider -q -s tests/reliability/test_crash.py

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/run_all.py

bench-quality: setup
	$(BIN)/python bench/bench_quality.py
	$(BIN)/python bench/bench_pprl_quality.py --children 5000
	$(BIN)/python bench/bench_febrl.py

# The load run (docs/performance.md, "Web under load"): 50 people against a served demo on PostgreSQL,
# paced and without pauses. Makes the demo in LOAD_DATABASE_URL first if it has none.
LOAD_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/sightline_load)
LOAD_HOME ?= $(CURDIR)/var/load
LOAD_ARGS ?=
load: setup
	SIGHTLINE_HOME=$(LOAD_HOME) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python bench/load_run.py $(LOAD_ARGS)

clean:
	rm -rf var/test .pytest_cache .mypy_cache
