# salesim: `make demo` runs the main job, `make test` checks everything at a reduced size (the fast
# tier, within 5 minutes on 2 cores), `make test-all` adds the full-size statistical claims.
# The Makefile finds a Python >= 3.12 by itself (PATH first, then pyenv) and
# builds .venv from pyproject.toml; nothing needs installing by hand.

SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# First interpreter >= 3.12 among: python3.13, python3.12 on PATH, pyenv versions, python3.
PYTHON_CANDIDATES := python3.13 python3.12 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) \
	$(wildcard /root/.pyenv/versions/3.13*/bin/python3) \
	$(wildcard /root/.pyenv/versions/3.12*/bin/python3) \
	python3
BASE_PYTHON := $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell command -v $(p) >/dev/null 2>&1 && $(p) -c 'import sys; print("$(p)" if sys.version_info >= (3, 12) else "")' 2>/dev/null)))

.PHONY: all setup demo test test-all lint format bench baseline clean

all: test

$(STAMP): pyproject.toml
	@test -n "$(BASE_PYTHON)" || { echo "error: no Python >= 3.12 found (tried PATH and pyenv)" >&2; exit 2; }
	@echo "Building $(VENV) with $(BASE_PYTHON)"
	$(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/salesim demo

# Test files run in parallel (pytest-xdist), a file's tests in one process so that its shared runs
# are made once; one process with `PYTEST_WORKERS=0`. One worker more than cores: the tests also wait
# (on processes they start, a browser) and the extra worker fills those waits (2 cores, clean clone:
# make test 4 min 56 s with three workers; 5 min 17-20 s with two, with two demand curves more).
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PYTEST := $(PY) -m pytest -W error -n $(PYTEST_WORKERS) --dist loadfile

# the fast tier: every behaviour and the direction of every lever claim, at a reduced size
# mypy (about 20 s of one core, cold) runs beside the tests; its verdict counts as theirs
test: $(STAMP)
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
