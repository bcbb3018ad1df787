# Lobby Kiosk. Every target bootstraps .venv (and, as root, the system libraries Qt needs).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OFFSCREEN := QT_QPA_PLATFORM=offscreen

.PHONY: run test demo soak bench lint system-deps clean

$(STAMP): pyproject.toml scripts/system-deps.sh
	@sh scripts/system-deps.sh test
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

system-deps:
	@sh scripts/system-deps.sh run

run: $(STAMP)
	@sh scripts/system-deps.sh run
	$(BIN)/kiosk run

demo: $(STAMP)
	$(OFFSCREEN) $(BIN)/kiosk demo --out demo-output
	$(BIN)/python scripts/console_demo.py --out demo-output/console
	@echo "Screenshots and badges are in demo-output/ (the hub's console in demo-output/console/)"

# A lobby's busy stretch in one process: 1,000 guests through the real window, one JSON line.
soak: $(STAMP)
	$(OFFSCREEN) $(BIN)/kiosk demo --guests 1000 --out demo-output --json

test: $(STAMP) lint
	$(OFFSCREEN) $(BIN)/python -m pytest -m "not bench" -q

bench: $(STAMP)
	$(OFFSCREEN) $(BIN)/python -m pytest tests/bench -m bench -q -s -p no:randomly

lint: $(STAMP)
	$(BIN)/ruff check kiosk ui printers tests scripts
	$(BIN)/ruff format --check kiosk ui printers tests scripts
	$(BIN)/mypy kiosk printers ui
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) demo-output build dist *.egg-info
