# mmlens — every target creates or refreshes .venv when it is missing or the lock changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MMLENS_HOME ?= $(CURDIR)/var

.PHONY: demo test lint mutate dev clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mmlens demo

test: $(STAMP) lint
	$(BIN)/python tests/browser_setup.py
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

# ruff on everything, mypy on the plain-Python core (settings in pyproject.toml); a few seconds.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Mutation testing of the core (slow: not part of `make test`). MUTANTS narrows the run, e.g.
# make mutate MUTANTS='pipelines.transforms.*'; results: .venv/bin/mutmut results. See docs/testing.md.
MUTANTS ?=
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-mutate.lock
	$(BIN)/mutmut run --max-children 2 $(MUTANTS)

dev: $(STAMP)
	$(BIN)/python -m pipelines.dagster_home "$(MMLENS_HOME)/dagster"
	DAGSTER_HOME="$(MMLENS_HOME)/dagster" PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache mutants
