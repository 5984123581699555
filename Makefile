# The developer loop; CI runs `make ci` (lint, then the tests) through .ci/run.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install test lint schema bench demo ci screenshots

$(VENV)/bin/ctsync: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/bin/ctsync

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check pipeline tests bench
	$(VENV)/bin/ruff format --check pipeline tests bench
	$(VENV)/bin/mypy

schema: install
	$(PY) -m pipeline.schema_gen

bench: install
	$(PY) -m bench.run

ci: lint test

demo: install
	$(VENV)/bin/ctsync load data/sample
	$(VENV)/bin/ctsync show NCT05766735

# The README's screenshots: the browser test (Debian's chromium) writes them into docs/.
screenshots: install
	CTSYNC_SCREENSHOTS=docs $(VENV)/bin/pytest -q tests/test_web_browser.py
