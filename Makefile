# salesim: `make demo` runs the main job, `make test` checks everything at a reduced size (the fast
# tier, about 5-6 minutes on 2 cores), `make test-all` adds the full-size statistical claims.
# The Makefile finds a Python >= 3.12 by itself (PATH first, then pyenv) and
# builds .venv from pyproject.toml; nothing needs installing by hand. `make demo` installs only
# what the demo needs; `make setup` and `make test` add the extras (dev, dashboard, distributed,
# discover), `make dashboard` the dashboard's alone, `make extras EXTRAS=distributed,discover` any.

SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BASE_STAMP := $(VENV)/.installed-base
# setuptools' editable install prints an information-only warning mid-build (folders named like the package
# may shadow it): nothing to act on, so it is not shown; pip's own errors and warnings still are
PIP := PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet

# First interpreter >= 3.12 among: python3.13, python3.12 on PATH, pyenv versions, python3.
PYTHON_CANDIDATES := python3.13 python3.12 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) \
	$(wildcard /root/.pyenv/versions/3.13*/bin/python3) \
	$(wildcard /root/.pyenv/versions/3.12*/bin/python3) \
	python3
BASE_PYTHON := $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell command -v $(p) >/dev/null 2>&1 && $(p) -c 'import sys; print("$(p)" if sys.version_info >= (3, 12) else "")' 2>/dev/null)))

.PHONY: all setup demo dashboard extras test test-all lint format bench baseline clean

all: test

# the package and what every command but the dashboard, Dask and discover needs: what the demo runs on
$(BASE_STAMP): pyproject.toml
	@test -n "$(BASE_PYTHON)" || { echo "error: no Python >= 3.12 found (tried PATH and pyenv)" >&2; exit 2; }
	@echo "Building $(VENV) with $(BASE_PYTHON): salesim and what the demo needs (about a minute, once)"
	@test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip
	@$(PIP) -e .
	@touch $(BASE_STAMP)

# everything the tests exercise: the dev tools and the dashboard, distributed and discover extras
$(STAMP): $(BASE_STAMP)
	@echo "Adding the extras the tests need to $(VENV): dev tools, dashboard, distributed (Dask), discover (about a minute, once)"
	@$(PIP) -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: $(BASE_STAMP)
	@echo "make demo: salesim demo compares the five alignment stages on 20 markets and writes outputs/demo/report.html"
	$(VENV)/bin/salesim demo

# the live dashboard (Mesa's SolaraViz): its extra on first use, then the server (Ctrl+C stops it)
dashboard: $(BASE_STAMP)
	@$(PY) -c 'import solara' 2>/dev/null || { echo "Adding the dashboard's extra to $(VENV) (once)"; $(PIP) -e '.[dashboard]'; }
	$(VENV)/bin/salesim dashboard

# extras on request, e.g. `make extras EXTRAS=distributed,discover` (the names of pyproject's optional-dependencies)
EXTRAS ?= dashboard,distributed,discover
extras: $(BASE_STAMP)
	$(PIP) -e '.[$(EXTRAS)]'

# Test files run in parallel (pytest-xdist), a file's tests in one process so that its shared runs
# are made once; one process with `PYTEST_WORKERS=0`. One worker more than cores: the tests also wait
# (on processes they start, a browser) and the extra worker fills those waits (2 cores, clean clone:
# make test 4 min 56 s with three workers; 5 min 17-20 s with two, with two demand curves more).
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PYTEST := $(PY) -m pytest -W error -n $(PYTEST_WORKERS) --dist loadfile

# the fast tier: every behaviour and the direction of every lever claim, at a reduced size
# mypy (about 20 s of one core, cold) runs beside the tests; its verdict counts as theirs
test: $(STAMP)
	@echo "make test: ruff, mypy and the fast test tier (about 6 minutes on 2 cores; pytest says how many tests first)"
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy > .mypy.out 2>&1 & mypy=$$!; \
	$(PYTEST) -m "not slow"; tests=$$?; \
	wait $$mypy; typed=$$?; cat .mypy.out; rm -f .mypy.out; \
	test $$tests -eq 0 && test $$typed -eq 0

# everything: the fast tier and the full-size statistical claims (tests marked slow)
test-all: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PYTEST)

# mypy with pyproject's [tool.mypy] (make test runs it too): strict on sim/config and sim/model, the
# rest of sim and the test stub checked too (a stub that drifts from the model it stands in for fails here)
.PHONY: typecheck
typecheck: $(STAMP)
	$(VENV)/bin/mypy

lint: $(STAMP)
	$(VENV)/bin/ruff check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	$(PY) scripts/bench.py

baseline: $(STAMP)
	$(PY) scripts/refresh_baseline.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
