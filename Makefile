# Set-up and entry points. `make run` starts the app; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup model lint bench clean

run: setup model
	$(BIN)/glassbox

test: setup model
	@if $(BIN)/python -c "import docker; docker.from_env().ping()" >/dev/null 2>&1; then \
		$(BIN)/glassbox sandbox build; \
	else \
		echo "Docker engine not reachable: sandbox tests will skip (they fail under CI=true)."; \
	fi
	$(BIN)/python -m pytest -q

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

model: setup
	$(BIN)/glassbox models pull smollm2

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV)
