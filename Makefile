# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := webapp

.PHONY: install run serve test lint bench worker

install: $(STAMP)

$(STAMP): pyproject.toml package.json package-lock.json webapp/translations/en/LC_MESSAGES/messages.po
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	# Front-end libraries from the npm registry, served by the app itself (closed networks).
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p webapp/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js webapp/static/vendor/
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js webapp/static/vendor/
	cp node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css webapp/static/vendor/
	cp node_modules/@picocss/pico/css/pico.min.css webapp/static/vendor/
	$(BIN)/pybabel compile --use-fuzzy -d webapp/translations -f --statistics
	touch $(STAMP)

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	@echo "Serving http://127.0.0.1:5000"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# Served like production: gunicorn with gunicorn.conf.py (workers from the CPU count, BIND,
# WEB_CONCURRENCY...); run `make worker` beside it. README.md, "Deploying".
serve: install
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# The layers and capability packages (pyproject.toml, docs/architecture.md).
	$(BIN)/lint-imports --no-cache

# Two workers (pytest-xdist), one per core; a file's tests stay together, in order, on one worker.
PYTEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile

bench: install
	$(BIN)/python -m bench engine

worker: install
	$(BIN)/flask worker
