# Renkou — two commands: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := renkou.settings

.PHONY: setup demo test lint pytest bench system-deps serve clean

# --- set-up -------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the dependency files change; the constraints file pins every
# version so two fresh machines install the same set.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

renkou/static/vendor/.copied: node_modules/.installed scripts/copy_vendor.py
	$(BIN)/python scripts/copy_vendor.py
	touch $@

MO_FILES := $(patsubst %.po,%.mo,$(wildcard renkou/locale/*/LC_MESSAGES/django.po))
%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

var/static/.collected: renkou/static/vendor/.copied $(wildcard renkou/static/src/*)
	$(BIN)/renkou collectstatic --noinput -v0
	touch $@

setup: $(VENV)/.installed node_modules/.installed renkou/static/vendor/.copied $(MO_FILES) var/static/.collected

# --- demo -----------------------------------------------------------------
demo: setup
	$(BIN)/renkou migrate --noinput -v0
	$(BIN)/renkou demo
	@scripts/serve.sh $(PORT)

# --- tests ------------------------------------------------------------------
system-deps:
	@scripts/system_deps.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/bandit -c pyproject.toml -r renkou -q -ll
	@scripts/audit_deps.sh

test: setup system-deps lint
	@scripts/run_tests.sh

bench: setup
	$(BIN)/renkou migrate --noinput -v0
	$(BIN)/python -m bench.run $(ONLY)

clean:
	rm -rf $(VENV) node_modules renkou/static/vendor var
