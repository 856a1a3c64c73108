# Two commands do all set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint system-deps bench bench-quick package clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

run: $(STAMP)
	$(BIN)/crmsync-gui $(ARGS)

system-deps:
	bash .ci/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check crmsync_gui tests bench packaging
	$(BIN)/lint-imports

test: $(STAMP) system-deps lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -ra

# the bench extra (matplotlib for the report's plots) only for make bench; see docs/benchmarks.md
$(VENV)/.bench-stamp: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $@

bench: $(VENV)/.bench-stamp system-deps
	$(BIN)/python -m bench.run

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick

# dist/crmsync-gui/: the one-folder application (see docs/packaging.md), then its self-test
package: $(STAMP)
	$(BIN)/python packaging/build.py --check

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
