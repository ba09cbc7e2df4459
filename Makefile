# Two commands do all set-up on a fresh machine: `make run` and `make test` (README.md).
SHELL := /bin/bash
# The distribution's Python 3.11 where there is one (Debian, Ubuntu): built with PGO and LTO, it
# serves Kehu's requests 20–25 % faster than a default source build such as pyenv's
# (docs/performance.md). Anything else: whatever python3.11 is on the PATH.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3.11)
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

# `kehu start`: migrate (its output goes to the log file), the first administrator and the demo
# data once (their passwords are printed), then serve with a worker and end with a banner.
run: setup
	$(VENV)/bin/kehu start

test: setup
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/pytest -n 2 --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The English catalogue of the Chinese source strings (kehu/locale/en): run from the project root,
# keeping the virtualenv's packages, node_modules, tests and generated files out of it. Commit
# both django.po and the compiled django.mo, so an install needs no gettext tools.
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=bench --ignore=var --ignore=e2e --ignore='*/tests/*'
messages: setup
	$(PY) manage.py makemessages -l en $(I18N_IGNORE) --no-obsolete
	$(PY) manage.py compilemessages -l en $(I18N_IGNORE)

SCALE ?= small
DB ?= sqlite
bench: setup
	$(PY) -m bench.run --scale $(SCALE) --db $(DB)

clean:
	rm -rf $(VENV) $(TOOLS) node_modules var/static
