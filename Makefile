# twin: the two commands a person needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TWIN := $(VENV)/bin/twin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(TWIN) demo --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) bench/ingest.py --write

clean:
	rm -rf var .pytest_cache
