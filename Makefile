# One command to run the app with demo data, one to run the tests. Everything else follows.
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
STAMP  := $(VENV)/.installed
NODE_STAMP := webui/node_modules/.installed

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): webui/package.json webui/package-lock.json
	cd webui && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

run: install
	$(BIN)/cpc init-db
	$(BIN)/cpc deploy processes
	$(BIN)/cpc demo-data
	$(BIN)/cpc serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/complete_task.py

clean:
	rm -rf $(VENV) webui/node_modules instance
