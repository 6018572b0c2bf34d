# mmlens — every target creates or refreshes .venv when it is missing or a lock changed.
# Three hashed locks, made by `make lock` from pyproject.toml: requirements.lock (what `make demo` and
# `make dev` run), requirements-test.lock (that and the test tools), requirements-mutate.lock (that
# and mutmut). pip installs uv from requirements-tools.lock; uv syncs .venv to the lock a target needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := $(VENV)/.tools
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
MUTATE_STAMP := $(VENV)/.installed-mutate
UV := $(BIN)/uv pip
# uv reads the system's certificate store, so that it works behind a proxy with its own CA too.
export UV_SYSTEM_CERTS ?= 1
export MMLENS_HOME ?= $(CURDIR)/var

.PHONY: demo test test-services lint mutate mutate-screen dev lock clean

# The venv starts without pip (ensurepip takes longer than the rest of the bootstrap); the system's
# pip installs the tools into it, uncompiled: the sync below compiles them with everything else.
$(TOOLS): requirements-tools.lock
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check --no-compile \
		--require-hashes --no-deps -r requirements-tools.lock
	touch $@

# sync LOCK: .venv holds exactly that lock and the tools (nothing else), then mmlens itself, then pip check.
# Bytecode is compiled at install, as pip does: where PYTHONDONTWRITEBYTECODE is set, Python would
# otherwise compile every module it imports from source at every start.
define sync
	$(UV) sync --quiet --python $(BIN)/python --require-hashes --compile-bytecode $(1) requirements-tools.lock
	$(UV) install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
endef

# The test and mutate venvs hold the runtime lock too (tests/test_locks.py), so they stand for it.
$(STAMP): $(TOOLS) requirements.lock pyproject.toml
	rm -f $(TEST_STAMP) $(MUTATE_STAMP)
	$(call sync,requirements.lock)
	touch $@

$(TEST_STAMP): $(TOOLS) requirements-test.lock pyproject.toml
	rm -f $(MUTATE_STAMP)
	$(call sync,requirements-test.lock)
	touch $(STAMP) $@

$(MUTATE_STAMP): $(TOOLS) requirements-mutate.lock pyproject.toml
	$(call sync,requirements-mutate.lock)
	touch $(STAMP) $(TEST_STAMP) $@

demo: $(STAMP)
	$(BIN)/mmlens demo

# The whole suite but the tests of lake mode's services (PostgreSQL, S3), which `make test-services` runs.
test: $(TEST_STAMP) lint
	$(BIN)/python tests/browser_setup.py
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -m "not lake_services"

# Lake mode and the deployment on several machines against a real PostgreSQL and Redis (Debian's
# packages, started by the tests) and an S3 endpoint (moto's server); CI runs it after `make test`,
# installing PostgreSQL and Redis first when they are missing.
test-services: $(TEST_STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -m lake_services

# ruff on everything, mypy on the plain-Python core (settings in pyproject.toml); a few seconds.
lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Mutation testing of the core (slow: not part of `make test`). MUTANTS narrows the run, e.g.
# make mutate MUTANTS='pipelines.transforms.*'; results: .venv/bin/mutmut results. See docs/testing.md.
MUTANTS ?=
mutate: $(MUTATE_STAMP)
	$(BIN)/mutmut run --max-children 2 $(MUTANTS)

# make mutate-screen MUTANTS='pipelines.transforms.funnel.*' TESTS='tests/transforms/test_funnel.py': the
# unchecked mutants of a `make mutate` run against a few fast test files only. See docs/testing.md.
TESTS ?=
mutate-screen: $(MUTATE_STAMP)
	$(BIN)/python tests/mutation_screen.py '$(MUTANTS)' $(TESTS)

dev: $(STAMP)
	$(BIN)/python -m pipelines.dagster_home "$(MMLENS_HOME)/dagster"
	DAGSTER_HOME="$(MMLENS_HOME)/dagster" PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -w workspace.yaml

# Regenerate the locks after a change to pyproject.toml or requirements-tools.in; existing pins are kept
# where they still fit (make lock UPGRADE=--upgrade takes the newest releases within the bounds). The
# widest lock is resolved first and constrains the others, so the pins they share are equal.
UPGRADE ?=
COMPILE = $(UV) compile --quiet --universal --generate-hashes $(UPGRADE)
lock: $(TOOLS)
	$(COMPILE) pyproject.toml --extra test --extra mutate -o requirements-mutate.lock
	$(COMPILE) pyproject.toml --extra test -c requirements-mutate.lock -o requirements-test.lock
	$(COMPILE) pyproject.toml -c requirements-test.lock -o requirements.lock
	$(COMPILE) requirements-tools.in -o requirements-tools.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache mutants
