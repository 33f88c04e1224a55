#!/usr/bin/env bash
# Install .ci/get_pip.py where ansible-test looks for its cached get-pip script, under the
# name of the pip version that the installed ansible-test bootstraps (read from its source).
set -euo pipefail
venv_python="$1"
version=$("$venv_python" -c "
import re, ansible_test._internal.python_requirements as pr
print(re.search(r\"pip='([0-9.]+)'\", open(pr.__file__).read()).group(1))
")
cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
cp "$(dirname "$0")/get_pip.py" "$cache/get_pip_${version//./_}.py"
echo "ansible-test pip ${version} bootstrap: $cache/get_pip_${version//./_}.py"
