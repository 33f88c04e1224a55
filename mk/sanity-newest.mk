# ansible-test sanity under the newest ansible-core as a stage of `make test` (included by the Makefile).
#
#   make sanity-newest    ansible-test sanity of ansible-core $(NEWEST_CORE) on Python $(NEWEST_PYTHON),
#                         in the venv .tmp/matrix/sanity-core-<core>-py<python> (made on the first run)
#
# `make sanity` tests with ansible-core 2.19, the newest release for Python 3.11; ansible-core 2.20 and
# newer need Python 3.12 or newer, which .ci/newest_python.sh finds (pythonX.Y on PATH, pyenv's, or
# /usr/bin's). Its sanity tests find what only newer releases check (e.g. return value keys that are
# dict methods).
NEWEST_CORE ?= 2.21
NEWEST_PYTHON ?= 3.13

STAGES += sanity-newest

.PHONY: sanity-newest

sanity-newest: export PATH := $(BIN):$(PATH)
sanity-newest: setup
	@bash .ci/stage.sh sanity-newest sanity bash .ci/sanity_newest.sh $(NEWEST_CORE) $(NEWEST_PYTHON)
