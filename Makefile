# Two commands for a new user: `make site` builds the site, `make test` runs the tests.
# `make site` creates .venv with the runtime only (requirements/runtime.txt); `make test` adds the test tools
# (requirements/test.txt). Both lock files pin every package with its hashes. Where npm is installed,
# `make test` also installs axe-core (package-lock.json) for the browser tests in tests/browser/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
TESTING := $(VENV)/.test-installed
LOCK_OPTIONS := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	--no-emit-trusted-host
# `make lock` moves every pin to the newest release; `make lock UPGRADE=` only follows a change to pyproject.toml
# (a dependency added or dropped), keeping the other pins as they are.
UPGRADE ?= --upgrade
NODE_INSTALLED := node_modules/.installed
# Without npm (a fresh machine with only Python and make) the browser tests skip, so `make test` skips npm too.
NODE_DEPS := $(if $(shell command -v npm 2>/dev/null),$(NODE_INSTALLED))

.PHONY: install node-install site serve check figures new-survey new-update release test test-browser coverage bench seed-surveys \
	lock clean

$(RUNTIME): pyproject.toml requirements/runtime.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/runtime.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(TESTING): $(RUNTIME) requirements/test.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/test.txt
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(RUNTIME)  ## create .venv with the pinned runtime dependencies (what `make site` needs)

node-install: $(NODE_INSTALLED)  ## install axe-core for the browser tests, exactly as package-lock.json pins it

site: $(RUNTIME)  ## validate the surveys, compute the figures and build site/
	$(BIN)/campaign-site build

serve: $(RUNTIME)  ## preview the site with live reload on http://127.0.0.1:8000
	$(BIN)/campaign-site serve

check: $(RUNTIME)  ## validate data and copy without writing anything; figures typed by hand fail it
	$(BIN)/campaign-site check --strict

figures: $(RUNTIME)  ## list each figure's key, value and honest words, ready to paste: make figures WORD=powerless
	$(BIN)/campaign-site figures $(if $(WORD),"$$WORD")

new-survey: $(RUNTIME)  ## draft a survey's codebook from an export: make new-survey EXPORT=path/to/export.csv ID=public-2016
	@test -n "$$EXPORT" || { echo 'say which export: make new-survey EXPORT=path/to/export.csv ID=public-2016' >&2; exit 2; }
	$(BIN)/campaign-site new-survey $(if $(ID),--id "$$ID") $(if $(WAVE_OF),--wave-of "$$WAVE_OF") -- "$$EXPORT"

new-update: $(RUNTIME)  ## start a campaign update: make new-update TITLE="Ministers respond to our survey" [DATE=YYYY-MM-DD]
	@test -n "$$TITLE" || { echo 'give the update a title: make new-update TITLE="Ministers respond"' >&2; exit 2; }
	$(BIN)/campaign-site new-update $(if $(DATE),--date "$$DATE") -- "$$TITLE"

release: $(RUNTIME)  ## record a release of the figures, saying why they moved: make release NOTE="Late responses added" [DATE=YYYY-MM-DD]
	@test -n "$$NOTE" || { echo 'say why: make release NOTE="Late responses added"' >&2; exit 2; }
	$(BIN)/campaign-site release --note "$$NOTE" $(if $(DATE),--date "$$DATE")

test: $(TESTING) $(NODE_DEPS)  ## run the test suite (browser tests skip without Chromium, unless CI is set)
	$(BIN)/python -m pytest

test-browser: $(TESTING) $(NODE_DEPS)  ## run only the browser tests (Chromium over the built site)
	$(BIN)/python -m pytest -m browser tests/browser

coverage: $(TESTING) $(NODE_DEPS)  ## the test suite under coverage.py (subprocesses included), then the report
	rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report

BENCHING := $(VENV)/.bench-installed

$(BENCHING): $(TESTING) requirements/bench.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/bench.txt
	touch $@

bench: $(BENCHING)  ## the benchmarks, each a ratio against a floor measured in the same run (README: Performance)
	$(BIN)/python bench/build_vs_mkdocs.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/scale.py --design --runs 1
	$(BIN)/python bench/design_variance.py
	$(BIN)/python bench/page_weight.py

seed-surveys: $(RUNTIME)  ## regenerate the shipped synthetic responses
	$(BIN)/python -m build_scripts.cli.seed_surveys

lock:  ## re-pin every dependency, with hashes, to what resolves today (then commit requirements/)
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet pip-tools
	.venv-lock/bin/pip-compile $(LOCK_OPTIONS) $(UPGRADE) -o requirements/runtime.txt pyproject.toml
	.venv-lock/bin/pip-compile $(LOCK_OPTIONS) $(UPGRADE) --extra test -c requirements/runtime.txt \
		-o requirements/test.txt pyproject.toml
	.venv-lock/bin/pip-compile $(LOCK_OPTIONS) $(UPGRADE) --extra test --extra bench -c requirements/test.txt \
		-o requirements/bench.txt pyproject.toml
	rm -rf .venv-lock

clean:  ## remove the virtual environment, node_modules and everything the build wrote
	rm -rf $(VENV) node_modules site .build docs/data .cache .coverage .coverage.* .site-build-* .site-old-* .campaign-site.lock
