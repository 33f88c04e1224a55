#!/usr/bin/env bash
# Put .ci/get_pip.py where ansible-test looks for its cached pip bootstrap script, under the pip
# version that the installed ansible-test bootstraps. The version is read from ansible-test's own
# source (ansible_test/_internal/python_requirements.py), so an ansible-core upgrade that moves to
# another pip needs no change here. Usage: .ci/install_get_pip.sh VENV_PYTHON
set -euo pipefail
venv_python=$1
here=$(cd "$(dirname "$0")" && pwd)

version=$("$venv_python" - <<'PY'
import importlib.util, os, re, sys
spec = importlib.util.find_spec('ansible_test')
if spec is None:
    sys.exit('install_get_pip.sh: ansible-test is not installed in this Python')
source = os.path.join(os.path.dirname(spec.origin), '_internal', 'python_requirements.py')
with open(source) as handle:
    found = re.search(r"""\bpip=['"]([0-9][0-9.]*)['"]""", handle.read())
if not found:
    sys.exit('install_get_pip.sh: no pip version found in %s; see docs/development.md' % source)
print(found.group(1))
PY
)

cache="$HOME/.ansible/test/cache"
target="$cache/get_pip_${version//./_}.py"
if ! cmp -s "$here/get_pip.py" "$target"; then
  mkdir -p "$cache"
  cp "$here/get_pip.py" "$target.tmp"
  mv "$target.tmp" "$target"
  echo "setup: ansible-test's pip ${version} bootstrap is now .ci/get_pip.py ($target)"
fi
