# Two commands: `make lab` (learners) and `make test` (instructors, CI). `make install` builds .venv/.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_SANDBOX := $(CURDIR)/.sandbox-test
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# The cells' source: one MyST markdown file beside each notebook (jupytext pairs, see jupytext.toml).
NOTEBOOK_TEXTS := $(sort $(wildcard notebooks/[0-9][0-9]_*.md))

.PHONY: install lab lint test test-lib test-notebooks test-join test-browser notebooks record benchmark clean help

help:
	@echo "make lab        copy the notebooks to my-notebooks/ (once) and start JupyterLab there (sandbox unless ATA_MODE=live)"
	@echo "make test       library tests, every notebook under nbval, and the browser test, in a fresh sandbox"
	@echo "make install    create .venv/ and install the course into it"
	@echo "make test-join  for each notebook N: 'sandbox reset --to N', then notebook N under nbval"
	@echo "make notebooks  sync each notebook with its .md pair, re-execute in a fresh sandbox, store outputs"
	@echo "make record NB=07  export executed notebook 07 to records/*.html (one file, secrets masked)"
	@echo "make benchmark  time the capture tools beside dpkt and tshark"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Learners work on their own copies (my-notebooks/, git-ignored): autosave never touches the
# committed notebooks, so `git pull` brings course updates without conflicts. A copy is made only
# where none exists; delete yours to get the updated one. Authors: `make lab LAB_DIR=notebooks`.
LAB_DIR ?= my-notebooks
LAB_STAMP := $(VENV)/.installed-lab

$(LAB_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the course into $(VENV)/ (a few minutes the first time; pip lists each package) ..."
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -e .
	touch $(LAB_STAMP)

lab: $(LAB_STAMP)
	@mkdir -p $(LAB_DIR)
	@for nb in $(NOTEBOOKS); do test -e $(LAB_DIR)/$$(basename $$nb) || \
		{ cp $$nb $(LAB_DIR)/ && $(BIN)/jupyter-trust -y $(LAB_DIR)/$$(basename $$nb) >/dev/null && \
		  echo "copied $$nb to $(LAB_DIR)/ (trusted: its stored forms render before you run it)"; }; done
	cd $(LAB_DIR) && $(CURDIR)/$(BIN)/jupyter lab $(LAB_ARGS) --LabApp.app_settings_dir=$(CURDIR)/lab 00_start_here.ipynb

test: lint test-lib test-notebooks test-browser

# ruff (pyflakes, import order, bugbear) and mypy over the package; run first by `make test`.
lint: install
	$(BIN)/ruff check ata_helpers tests benchmarks scripts
	$(BIN)/mypy


test-lib: install
	rm -rf $(TEST_SANDBOX)
	ATA_MODE=sandbox ATA_SANDBOX_DIR=$(TEST_SANDBOX)/lib $(BIN)/python -m pytest tests -q --ignore=tests/browser

test-notebooks: install
	rm -rf $(TEST_SANDBOX)/nb
	ATA_MODE=sandbox ATA_SANDBOX_DIR=$(TEST_SANDBOX)/nb $(BIN)/python -m pytest -q -p no:cacheprovider \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)

# Joining at any step: the state 'reset --to N' builds must let notebook N run as in the full course.
test-join: install
	set -e; for nb in $(filter-out notebooks/00_%,$(NOTEBOOKS)); do \
		n=$$(basename $$nb | cut -c1-2); rm -rf $(TEST_SANDBOX)/join; \
		ATA_MODE=sandbox ATA_SANDBOX_DIR=$(TEST_SANDBOX)/join $(BIN)/ata-helpers sandbox reset --to $$n; \
		ATA_MODE=sandbox ATA_SANDBOX_DIR=$(TEST_SANDBOX)/join $(BIN)/python -m pytest -q -p no:cacheprovider \
			--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $$nb; \
	done

# JupyterLab in Debian's chromium (Selenium): every notebook run, its forms used, screenshots in
# tests/browser/out/. Skipped, saying so, where chromium or chromium-driver is not installed.
test-browser: install
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		echo "test-browser: SKIPPED - no chromium/chromedriver here (apt-get install chromium chromium-driver)"
	ATA_MODE=sandbox $(BIN)/python -m pytest -q -p no:cacheprovider tests/browser

notebooks: install
	$(BIN)/python scripts/execute_notebooks.py $(sort $(NOTEBOOKS) $(NOTEBOOK_TEXTS))

# A learner's command: the learner install (as `make lab`, with pip's progress), not the test tools.
record: $(LAB_STAMP)
	@test -n "$(NB)" || (echo "usage: make record NB=07" && exit 2)
	$(BIN)/ata-helpers record $(NB)

benchmark: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(TEST_SANDBOX) .pytest_cache
