# Two commands for a new user: `make site` builds the site, `make test` runs the tests.
# Both create .venv and install the pinned dependencies (requirements.lock) on first use; where npm is
# installed, `make test` also installs axe-core (package-lock.json) for the browser tests in tests/browser/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
# Without npm (a fresh machine with only Python and make) the browser tests skip, so `make test` skips npm too.
NODE_DEPS := $(if $(shell command -v npm 2>/dev/null),$(NODE_INSTALLED))

.PHONY: install node-install site serve check test test-browser bench seed-surveys lock clean

$(INSTALLED): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(INSTALLED)  ## create .venv with the pinned dependencies

node-install: $(NODE_INSTALLED)  ## install axe-core for the browser tests, exactly as package-lock.json pins it

site: $(INSTALLED)  ## validate the surveys, compute the figures and build site/
	$(BIN)/campaign-site build

serve: $(INSTALLED)  ## preview the site with live reload on http://127.0.0.1:8000
	$(BIN)/campaign-site serve

check: $(INSTALLED)  ## validate data and copy without writing anything; figures typed by hand fail it
	$(BIN)/campaign-site check --strict

test: $(INSTALLED) $(NODE_DEPS)  ## run the test suite (browser tests skip without Chromium, unless CI is set)
	$(BIN)/python -m pytest

test-browser: $(INSTALLED) $(NODE_DEPS)  ## run only the browser tests (Chromium over the built site)
	$(BIN)/python -m pytest -m browser tests/browser

bench: $(INSTALLED)  ## the benchmarks, each a ratio against a floor measured in the same run (README: Performance)
	$(BIN)/python bench/build_vs_mkdocs.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/page_weight.py

seed-surveys: $(INSTALLED)  ## regenerate the shipped synthetic responses
	$(BIN)/python -m build_scripts.cli.seed_surveys

lock:  ## re-pin every dependency to what resolves today (then commit requirements.lock)
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -e ".[test]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^campaign-site' > requirements.lock
	rm -rf .venv-lock

clean:  ## remove the virtual environment, node_modules and everything the build wrote
	rm -rf $(VENV) node_modules site .build docs/data .cache .site-build-* .site-old-* .campaign-site.lock
