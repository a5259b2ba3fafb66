# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz lint format clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "cityhub needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	$(PYTHON) -m venv --upgrade-deps $(VENV)  # the bundled pip and setuptools have known CVEs
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cityhub demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/python tools/audit_dependencies.py check

# Workers: one per core; --dist loadscope keeps a module's tests (and its fixtures) together.
# PYTEST_ARGS adds options, e.g. PYTEST_ARGS='-m "not spark"' leaves out the Spark tests.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

test: lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

# The API fuzzed at depth (schemathesis: FUZZ_EXAMPLES requests per operation and role, fresh
# randomness) and the parsers with twenty times as many documents; docs/security.md.
FUZZ_EXAMPLES ?= 200

fuzz: $(STAMP)
	CITYHUB_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -n $(PYTEST_WORKERS) tests/fuzz $(PYTEST_ARGS)

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks tools
	$(BIN)/ruff format src tests benchmarks tools

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
