# One command to set up and build the site, one to set up and run the tests.
# Everything installs into .venv; nothing touches the system Python.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Backstage TechDocs' own environment (see the `techdocs` extra).
TECHDOCS_VENV := .venv-techdocs
TECHDOCS_STAMP := $(TECHDOCS_VENV)/.installed-stamp

.PHONY: site serve docs test lint check bench browser-deps clean

# The plugin is byte-compiled as pip compiles a package it installs: an
# editable install would otherwise be compiled from source at every start
# where PYTHONDONTWRITEBYTECODE is set.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m compileall -q plugin
	touch $(STAMP)

$(TECHDOCS_STAMP): pyproject.toml
	$(PYTHON) -m venv $(TECHDOCS_VENV)
	$(TECHDOCS_VENV)/bin/pip install --quiet --upgrade pip
	$(TECHDOCS_VENV)/bin/pip install --quiet -e '.[techdocs]'
	touch $(TECHDOCS_STAMP)

## site: set up and build the library site into site/ (strict: warnings fail)
site: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

## serve: set up and serve the site with drafts and live reload on :8000
serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dirty

## docs: set up and build this project's documentation into site-docs/ (strict)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -f mkdocs.docs.yml

## test: set up (venv, Chromium, axe-core) and run the whole test suite
test: $(STAMP) $(TECHDOCS_STAMP) browser-deps
	$(BIN)/ruff check plugin tests bench scripts
	$(BIN)/ruff format --check plugin tests bench scripts
	$(BIN)/mypy
	$(BIN)/pytest -q -p no:cacheprovider

## lint: check this repository's postmortems as CI does on a pull request
lint: $(STAMP)
	$(BIN)/postmortems lint

## bench: run the benchmarks (prints ratios against same-run baselines)
bench: $(STAMP)
	$(BIN)/python -m bench

browser-deps:
	@bash scripts/browser-deps.sh

clean:
	rm -rf site site-docs .venv .venv-techdocs .pytest_cache build *.egg-info node_modules
