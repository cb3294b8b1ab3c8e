# Thin wrappers for the README's two commands. Python 3.11+ must be on PATH as python3.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint lock clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

setup: $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.lock

# The main job on the embedded default: examples/mailbox in, var/Drafts out, SQLite in var/.
run: setup
	$(BIN)/python main.py --config config.example.toml run --once

test: setup
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest -q

# Re-pin requirements.lock after changing pyproject.toml dependencies.
lock:
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra test -o requirements.lock --python-version 3.11 -q

clean:
	rm -rf var/ .pytest_cache
