# The oldest supported ansible-core as a stage of `make test` (included by the Makefile).
#
#   make compat        tests/unit and tests/integration under ansible-core 2.16 on this machine's
#                      python3, in the venv .tmp/matrix/core-2.16-py<version> (.ci/matrix.sh); the
#                      tests that run under every server model run under the default one only,
#                      and the files in COMPAT_SKIP are left out: the client's retry rules under
#                      injected faults (test_reliability), the test harness's own tests and
#                      concurrent runs sharing a ledger (test_parallel_runs). What they check is
#                      the collection's own Python and the simulator, not something ansible-core
#                      does; they take a third of the stage's time, and the integration stage
#                      runs them under the newest ansible-core.
#
# The other stages run under the newest supported ansible-core (2.19, from requirements-test.txt),
# so `make test` tests the oldest and the newest; `make matrix` adds more Python versions.
COMPAT_CORE ?= 2.16
COMPAT_SKIP ?= tests/integration/test_reliability.py tests/integration/test_harness.py tests/integration/test_parallel_runs.py

STAGES += compat

.PHONY: compat

compat: setup
	@bash .ci/stage.sh compat pytest env VB365_SIM_MODELS=reference MATRIX="$(COMPAT_CORE):$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
		WORKERS=$(WORKERS) MATRIX_SKIP="$(COMPAT_SKIP)" bash .ci/matrix.sh
