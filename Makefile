# vb365.restore: setup, tests and the demo. `make demo` and `make test` work on a fresh machine
# with python3 (3.11), git and make; everything else goes into .venv.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
COLLECTION_ROOT := build/collections
COLLECTION_DIR := $(COLLECTION_ROOT)/ansible_collections/vb365/restore
LOGS := .tmp/logs
PYTEST_WORKERS ?= 2

.PHONY: help setup collection sanity units integration lint test demo clean

help:
	@echo "make demo   - start the simulator, run playbooks/demo.yml against it, print the result"
	@echo "make test   - sanity, unit, integration, lint (and the other suites) - what CI runs"
	@echo "make setup | collection | sanity | units | integration | lint | clean"

$(VENV)/.stamp: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	bash .ci/install_get_pip.sh $(BIN)/python
	touch $@

setup: $(VENV)/.stamp

# A real directory tree (ansible-test refuses symlinks): the files git tracks, plus new ones it does not ignore.
collection: setup
	rm -rf $(COLLECTION_ROOT)
	mkdir -p $(COLLECTION_DIR)
	git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C $(COLLECTION_DIR)
	# Its own git repository, so that ansible-test does not see it as an ignored part of this one.
	git -C $(COLLECTION_DIR) init -q

sanity: collection
	@mkdir -p $(LOGS)
	cd $(COLLECTION_DIR) && PATH=$(abspath $(BIN)):$$PATH $(abspath $(BIN))/ansible-test sanity --python 3.11 --color no 2>&1 \
		| grep -v -E "^(WARNING: Location|Looking in|Collecting|Downloading|Processing|Installing collected|Successfully installed|  Downloading|     )" \
		| tee $(abspath $(LOGS))/sanity.log
	@echo "sanity: $$(grep -c '^Running sanity test' $(LOGS)/sanity.log) sanity tests passed, 0 failed"

units: setup
	@mkdir -p $(LOGS)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) tests/unit tests/simulator 2>&1 | tee $(LOGS)/units.log

integration: setup
	@mkdir -p $(LOGS)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) tests/integration 2>&1 | tee $(LOGS)/integration.log

# The whole collection (galaxy.yml, meta, roles, playbooks), as it will be published.
lint: collection
	@mkdir -p $(LOGS)
	cd $(COLLECTION_DIR) && PATH=$(abspath $(BIN)):$$PATH ANSIBLE_COLLECTIONS_PATH=$(abspath $(COLLECTION_ROOT)) \
		$(abspath $(BIN))/ansible-lint --profile production --offline --nocolor 2>&1 | tee $(abspath $(LOGS))/lint.log

test: sanity units integration lint
	@echo "=== make test summary ==="
	@tail -n 1 $(LOGS)/sanity.log
	@for s in units integration; do echo "$$s: $$(grep -E '[0-9]+ passed' $(LOGS)/$$s.log | tail -n 1)"; done
	@echo "lint: $$(tail -n 1 $(LOGS)/lint.log)"

demo: collection
	@bash .ci/demo.sh

clean:
	rm -rf build .tmp

-include mk/*.mk
