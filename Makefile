# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ILTIZAM := $(VENV)/bin/iltizam
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := editor/node_modules/.installed
BUNDLE := server/static/build/editor.js
EDITOR_SOURCES := $(shell find editor/src -type f 2>/dev/null) editor/build.mjs

.PHONY: run test install build bench clean

run: install
	$(ILTIZAM) db upgrade
	$(ILTIZAM) seed-demo
	$(ILTIZAM) run

test: install
	cd editor && node --test test/
	$(PY) -m pytest

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
