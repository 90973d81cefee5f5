# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ILTIZAM := $(VENV)/bin/iltizam
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := editor/node_modules/.installed
BUNDLE := server/static/build/editor.js
EDITOR_SOURCES := $(shell find editor/src -type f 2>/dev/null) editor/build.mjs

.PHONY: run test system-deps install build bench clean

run: install
	$(ILTIZAM) db upgrade
	$(ILTIZAM) seed-demo
	$(ILTIZAM) run

# Both test runners always run, so one failing does not hide the other's results; the target
# fails if either did. pytest prints a line as it enters each suite group (tests/conftest.py).
test: system-deps install
	@echo "== lint (ruff) =="
	@$(VENV)/bin/ruff check --quiet . && echo "ruff: no findings"
	@echo "== editor (node) =="
	@(cd editor && node --test --test-reporter=dot test/); node_status=$$?; \
	$(PY) -m pytest; pytest_status=$$?; \
	[ $$node_status -eq 0 ] && [ $$pytest_status -eq 0 ]

# The Debian packages the suites need (Chromium, LibreOffice, poppler, Arabic fonts); `make run`
# does without them.
system-deps:
	@bash scripts/system-deps.sh

bench: install
	bash bench/run.sh

install: $(INSTALLED) build

build: $(BUNDLE)

$(INSTALLED): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(NODE_INSTALLED): editor/package.json editor/package-lock.json
	cd editor && npm ci --no-audit --no-fund
	touch $@

$(BUNDLE): $(NODE_INSTALLED) $(EDITOR_SOURCES)
	cd editor && node build.mjs

clean:
	rm -rf $(VENV) editor/node_modules server/static/build
