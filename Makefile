# Two commands do all set-up on a fresh machine: `make run` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: setup run test test-fast lint format bench clean messages

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON) --quiet
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.synced node_modules/.installed

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/kehu createadmin
	$(VENV)/bin/kehu demo --if-empty
	$(VENV)/bin/kehu serve

test: setup
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/pytest -n 2 --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: setup
	cd kehu && ../$(PY) ../manage.py makemessages -l en --no-obsolete && ../$(PY) ../manage.py compilemessages -l en

SCALE ?= small
DB ?= sqlite
bench: setup
	$(PY) -m bench.run --scale $(SCALE) --db $(DB)

clean:
	rm -rf $(VENV) $(TOOLS) node_modules var/static
