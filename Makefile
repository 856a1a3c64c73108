# Two commands do all set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint system-deps bench bench-quick soak package screenshots translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# as root it installs the system libraries Qt's window needs (xcb); otherwise it names the missing ones in one line
run: $(STAMP)
	RUN=1 bash .ci/system-deps.sh
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

# long reliability runs; figures in docs/reliability.md (make test runs a short seeded slice of each)
soak: $(STAMP)
	$(BIN)/python -m bench.hostile_mail --inputs 10000 --router-files 10000
	CRMSYNC_HOSTILE_EMAILS=1000 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -s tests/connectors/test_hostile_mail_protocols.py
	$(BIN)/python -m bench.hostile_ews --inputs 10000
	$(BIN)/python -m bench.crash_harness --kills 200
	$(BIN)/python -m bench.crash_harness --postgresql --kills 100
	CRMSYNC_ACT_EXAMPLES=300 CRMSYNC_ACT_SHRINK=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q tests/connectors/test_act_properties.py

# dist/crmsync-gui/: the one-folder application (see docs/packaging.md), then its self-test
package: $(STAMP)
	$(BIN)/python packaging/build.py --check

# refresh resources/translations/*.ts from the code and build the .qm files the console loads
translations: $(STAMP)
	$(BIN)/python resources/translations/update.py

# PNGs of every console page and dialog into docs/screenshots/ (Xvfb with a window manager, openbox, when there
# is no display: dialogs are placed and given focus as on a desktop)
screenshots: $(STAMP)
	SCREENSHOTS=1 bash .ci/system-deps.sh
	for lang in en it; do \
	  if [ -n "$$DISPLAY" ]; then QT_QPA_PLATFORM=xcb $(BIN)/python docs/screenshots/take.py --lang $$lang; \
	  else xvfb-run -a -s "-screen 0 1600x1000x24" sh -c "openbox >/dev/null 2>&1 & QT_QPA_PLATFORM=xcb $(BIN)/python docs/screenshots/take.py --lang $$lang"; fi \
	  || exit 1; \
	done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
