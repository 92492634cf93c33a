# Everything the project needs is installed from here; nothing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-postgres lint format bench bench-relevance messages demo worker clean browser

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## run: the platform on SQLite with demo data, its task worker beside it, on http://127.0.0.1:8000
run: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --no-input -v0
	DEBUG=1 $(PY) manage.py load_demo
	@DEBUG=1 $(PY) manage.py db_worker --interval 1 >var/worker.log 2>&1 & echo $$! > var/worker.pid
	@echo ""
	@echo "  Connective Cities runs on http://127.0.0.1:8000/"
	@echo "  Back office:      http://127.0.0.1:8000/admin/"
	@DEBUG=1 $(PY) manage.py demo_logins
	@echo ""
	@trap 'kill $$(cat var/worker.pid) 2>/dev/null' EXIT INT TERM; DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

## browser: headless Chromium for end-to-end tests (Debian's package where apt exists, Playwright's elsewhere)
browser: $(STAMP)
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null); \
	elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then \
		(sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null); \
	else $(PY) -m playwright install chromium; fi

## test: the whole suite (SQLite by default; set DATABASE_URL for PostgreSQL)
test: $(STAMP) browser
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	TESTING=1 $(BIN)/mypy src
	TESTING=1 $(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

messages: $(STAMP)
	cd src/connective && DEBUG=1 ../../$(PY) ../../manage.py makemessages --all --no-obsolete --ignore "*/migrations/*"
	cd src/connective && DEBUG=1 ../../$(PY) ../../manage.py compilemessages

worker: $(STAMP)
	DEBUG=1 $(PY) manage.py db_worker

## bench: large synthetic data set, measured through the real HTTP stack
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

## bench-relevance: recall@5 and MRR per language for words, meaning and both (bench/relevance/), and speed
bench-relevance: $(STAMP)
	$(PY) bench/relevance.py $(RELEVANCE_ARGS)

clean:
	rm -rf var
