# drillsim — two commands on a fresh machine with only Python:
#   make run    set up .venv and run the main job on the flagship scenario
#   make test   set up .venv with the test tools, check style, types and import contracts, run the suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLAGSHIP := scenarios/flagship-concurrent.yaml

.PHONY: run test lint soak bench clean

run: $(VENV)/.installed-run
	$(BIN)/drillsim validate --quiet scenarios
	$(BIN)/drillsim simulate $(FLAGSHIP)

test: lint
	$(BIN)/pytest

# The house keeps its shape: style and formatting, types, and the import contracts of docs/architecture.md.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check drillsim tests bench
	$(BIN)/ruff format --check drillsim tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

soak: $(VENV)/.installed-dev
	$(BIN)/pytest -m soak

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py

$(VENV)/.installed-bench: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed-run
