# The oldest supported ansible-core as a stage of `make test` (included by the Makefile).
#
#   make compat        tests/unit and tests/integration under ansible-core 2.16 on this machine's
#                      python3, in the venv .tmp/matrix/core-2.16-py<version> (.ci/matrix.sh); the
#                      tests that run under every server model run under the default one only.
#                      What this stage is for is what ansible-core does around the collection:
#                      argument specs and bad input, no_log, check mode and diff, roles and their
#                      argument validation, the inventory and callback plugins, --limit, the
#                      tarball install, ansible-runner. The files in COMPAT_SKIP are left out:
#                      they check the collection's own Python against the simulator (browsing and
#                      paging, restore points, operators, email settings, the session ledger, the
#                      client's retry rules under injected faults, concurrent runs sharing a
#                      ledger) or the test harness itself; the unit tests run those modules under
#                      2.16, and the integration stage runs those files under the newest
#                      ansible-core and every server model. Left in, they took 40% of the
#                      stage.
#
# The other stages run under the newest supported ansible-core (2.19, from requirements-test.txt),
# so `make test` tests the oldest and the newest; `make matrix` adds more Python versions.
COMPAT_CORE ?= 2.16
COMPAT_SKIP ?= tests/integration/test_reliability.py tests/integration/test_harness.py tests/integration/test_parallel_runs.py \
	tests/integration/test_browse.py tests/integration/test_sources.py tests/integration/test_operators.py \
	tests/integration/test_email_settings.py tests/integration/test_sessions.py

STAGES += compat

.PHONY: compat

compat: setup
	@bash .ci/stage.sh compat pytest env VB365_SIM_MODELS=reference MATRIX="$(COMPAT_CORE):$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
		WORKERS=$(WORKERS) MATRIX_SKIP="$(COMPAT_SKIP)" bash .ci/matrix.sh
