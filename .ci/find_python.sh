#!/usr/bin/env bash
# find_python X.Y: print the path of a Python X.Y that can make venvs, or return 1.
# Looked for as pythonX.Y on PATH, then pyenv's (${PYENV_ROOT:-~/.pyenv}/versions/X.Y.*), then
# /usr/bin/pythonX.Y. Sourced by .ci/matrix.sh and .ci/sanity_newest.sh.
find_python() {
  local version=$1 candidate
  if candidate=$(command -v "python$version" 2>/dev/null) && "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "$candidate"; return 0
  fi
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/"python$version" "/usr/bin/python$version"; do
    if [ -x "$candidate" ] && "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}
