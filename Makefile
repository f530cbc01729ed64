# One command to run the app with demo data, one to run the tests. Everything else follows.
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
STAMP  := $(VENV)/.installed
NODE_STAMP := webui/node_modules/.installed

.PHONY: install browser pdf-libs run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): webui/package.json webui/package-lock.json
	cd webui && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

# Browser tests drive Debian's Chromium (not a downloaded one); install it once if missing.
browser:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# Documents are rendered to PDF by WeasyPrint, which needs Debian's Pango, HarfBuzz's subsetter
# (to embed only the glyphs used) and a font.
pdf-libs:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation; }

run: install pdf-libs
	$(BIN)/cpc init-db
	$(BIN)/cpc deploy processes
	$(BIN)/cpc demo-data
	$(BIN)/cpc serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install browser pdf-libs lint
	$(BIN)/pytest

# Every script in bench/ prints one JSON line of figures; then ten years of a large council's
# records on PostgreSQL (some six minutes: the rows are written and vacuumed first).
DECADE = bench/inbox.py --size 500k --databases postgresql
bench: install
	@for script in bench/*.py; do echo "# $$script"; $(BIN)/python $$script || exit 1; done
	@echo "# $(DECADE)"; $(BIN)/python $(DECADE)

clean:
	rm -rf $(VENV) webui/node_modules instance
