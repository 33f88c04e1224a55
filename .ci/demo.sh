#!/usr/bin/env bash
# make demo: start the VB365 simulator with credentials made up for this run (they exist only in
# this process's environment, never in a file), run playbooks/demo.yml against it over HTTPS with
# the collection from build/collections, print the result, and stop the simulator whatever happens.
# Usage: .ci/demo.sh VENV_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cd "$1" && pwd)
playbook=playbooks/demo.yml
state="$PWD/.tmp/demo-sim"

if [ ! -f "$playbook" ]; then
  echo "demo: $playbook does not exist yet: there is no demo to run." >&2
  exit 1
fi

VB365_USERNAME="demo-$("$bin/python" -c 'import secrets; print(secrets.token_hex(4))')"
VB365_PASSWORD="$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')"
export VB365_USERNAME VB365_PASSWORD

trap '"$bin/python" tests/simulator/run.py stop --state-dir "$state" || true' EXIT
# fd 9 is build/.lock when this runs under .ci/collection.sh: the simulator must not hold it.
"$bin/python" tests/simulator/run.py start --state-dir "$state" >/dev/null 9>&-

read_info() {
  "$bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$state/sim.json" "$1"
}
VB365_SERVER=$(read_info url)
VB365_CA_PATH=$(read_info ca_path)
export VB365_SERVER VB365_CA_PATH

echo "demo: simulator at $VB365_SERVER (CA $VB365_CA_PATH), user $VB365_USERNAME, a password made up for this run"
echo "+ ansible-playbook $playbook"
set +e
ANSIBLE_COLLECTIONS_PATH="$PWD/build/collections" \
  ANSIBLE_PYTHON_INTERPRETER="$bin/python" \
  ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
  "$bin/ansible-playbook" "$playbook" </dev/null
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
  echo "demo: $playbook passed against the simulator"
else
  echo "demo: $playbook failed (exit code $rc); the simulator's log is $state/sim.log" >&2
fi
exit "$rc"
