# twin: the two commands a person needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TWIN := $(VENV)/bin/twin
HOST ?= 127.0.0.1
PORT ?= 8000
VIEWER_SOURCES := $(shell find viewer/src viewer/index.html viewer/vite.config.ts viewer/tsconfig.json -type f 2>/dev/null)

.PHONY: install viewer run test test-viewer bench clean

$(VENV)/.installed: pyproject.toml setup.py twin/geometry/_stephash.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

viewer/node_modules/.installed: viewer/package.json viewer/package-lock.json
	cd viewer && npm ci --no-audit --no-fund --loglevel=error
	touch $@

viewer/dist/index.html: viewer/node_modules/.installed $(VIEWER_SOURCES)
	cd viewer && npm run build --silent

viewer: viewer/dist/index.html

run: install viewer
	$(TWIN) demo --host $(HOST) --port $(PORT)

test-viewer: viewer/node_modules/.installed
	cd viewer && npm test --silent

test: install viewer test-viewer
	$(PY) -m pytest -q

bench: install viewer
	$(PY) bench/ingest.py --write
	$(PY) bench/viewer_load.py

clean:
	rm -rf var .pytest_cache viewer/dist test-artifacts
