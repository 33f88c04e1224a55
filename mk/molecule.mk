# Molecule scenarios of the roles (included by the Makefile: -include mk/*.mk).
#
#   make molecule                      every scenario of extensions/molecule/, against the simulator
#   make molecule SCENARIOS="a b"      only those
#
# extensions/molecule/run.sh starts the simulator, runs `molecule test -s <scenario>` for each one
# and writes .tmp/logs/molecule.summary and .counts the way .ci/stage.sh does; it is a stage of
# `make test`. The collection is the copy in build/collections, rebuilt first and held by
# .ci/collection.sh's lock while the scenarios run.
SCENARIOS ?=

STAGES += molecule

.PHONY: molecule

molecule: setup
	@bash .ci/collection.sh env VENV_BIN=$(BIN) bash extensions/molecule/run.sh $(SCENARIOS)
