# Thin wrappers for the README's two commands. Python 3.11+ must be on PATH as python3.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint lock clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Every artefact is checked against its sha256 in requirements.lock: a replaced file fails the install.
setup: $(BIN)/python
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock

# The main job on the embedded default: examples/mailbox in, var/Drafts out, SQLite in var/.
run: setup
	$(BIN)/python main.py --config config.example.toml run --once

# Three pytest-xdist workers on CI's 2 cores: much of the suite waits on subprocesses and servers, so two
# workers left the cores partly idle; three keep them 1.9 of 2 busy (2026-12-07: 30.5 CPU minutes in 16:08; two workers took 22:38);
# loadscope sends each test module whole to one worker: module-scoped fixtures are built once and
# tests that build on an earlier one keep their order (tests/conftest.py). --no-loadscope-reorder keeps
# file order, so the long end-to-end modules (tests/distributed, tests/e2e: few tests, minutes each)
# start first instead of last (xdist's default hands out modules with the most tests first).
test: setup
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest -q -n 3 --dist loadscope --no-loadscope-reorder

# Re-pin requirements.lock after changing pyproject.toml dependencies: versions and the sha256 of
# every artefact. Pins already in the lock are kept (upgrade one with UPGRADE="--upgrade-package NAME").
# --no-strip-extras keeps e.g. smart-open[http]: pip's hash-checking mode needs the extras pinned too.
lock:
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --no-strip-extras $(UPGRADE) -o requirements.lock --python-version 3.11 -q

clean:
	rm -rf var/ .pytest_cache
