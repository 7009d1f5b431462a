# Two commands for a new user: `make site` builds the site, `make test` runs the tests.
# Both create .venv and install the pinned dependencies (requirements.lock) on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install site serve check test seed-surveys lock clean

$(INSTALLED): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

install: $(INSTALLED)  ## create .venv with the pinned dependencies

site: $(INSTALLED)  ## validate the surveys, compute the figures and build site/
	$(BIN)/campaign-site build

serve: $(INSTALLED)  ## preview the site with live reload on http://127.0.0.1:8000
	$(BIN)/campaign-site serve

check: $(INSTALLED)  ## validate data and copy without writing anything; figures typed by hand fail it
	$(BIN)/campaign-site check --strict

test: $(INSTALLED)  ## run the test suite
	$(BIN)/python -m pytest

seed-surveys: $(INSTALLED)  ## regenerate the shipped synthetic responses
	$(BIN)/python -m build_scripts.seed_surveys

lock:  ## re-pin every dependency to what resolves today (then commit requirements.lock)
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -e ".[test]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^campaign-site' > requirements.lock
	rm -rf .venv-lock

clean:  ## remove the virtual environment and everything the build wrote
	rm -rf $(VENV) site docs/data .site-build-* .site-old-*
