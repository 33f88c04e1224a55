#!/usr/bin/env bash
# ansible-test sanity under a newer ansible-core than .venv has, on the newer Python it needs.
#
#   .ci/sanity_newest.sh CORE PYTHON       e.g. 2.21 3.13
#
# The venv is .tmp/matrix/sanity-core-CORE-pyPYTHON (made once, remade when CORE or PYTHON change).
# PYTHON is found as pythonX.Y on PATH, in pyenv (${PYENV_ROOT:-~/.pyenv}/versions/X.Y.*), or in
# /usr/bin; a machine without it fails here with what to install. The sanity test runs in the
# collection copy that .ci/collection.sh makes, as `make sanity` does.
set -euo pipefail
cd "$(dirname "$0")/.."
core=$1 python=$2
venv="$PWD/.tmp/matrix/sanity-core-$core-py$python"

# shellcheck source=.ci/find_python.sh
source .ci/find_python.sh

wanted="core=$core python=$python"
if [ ! -x "$venv/bin/ansible-test" ] || [ "$(cat "$venv/.wanted" 2>/dev/null)" != "$wanted" ]; then
  if ! interpreter=$(find_python "$python"); then
    echo "sanity-newest: no Python $python here (ansible-core $core needs 3.12 or newer): install python$python" \
         "(pyenv install $python, or the distribution's package) or run make sanity-newest NEWEST_PYTHON=X.Y" >&2
    exit 1
  fi
  rm -rf "$venv"
  echo "+ $interpreter -m venv $venv"
  "$interpreter" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "ansible-core==$core.*"
  echo "$wanted" >"$venv/.wanted"
fi
bash .ci/install_get_pip.sh "$venv/bin/python"
echo "sanity-newest: $("$venv/bin/ansible" --version | head -n 1) on $("$venv/bin/python" --version)"
bash .ci/collection.sh --cd "$venv/bin/ansible-test" sanity --python "$python" --color no
