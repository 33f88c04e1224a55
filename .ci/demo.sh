#!/usr/bin/env bash
# make demo: start the simulator with credentials made up for this run, run the demo runbook
# against it over HTTPS, and stop the simulator whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
state="$PWD/.tmp/demo-sim"
VB365_USERNAME="demo-admin"
VB365_PASSWORD="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(18))')"
export VB365_USERNAME VB365_PASSWORD
trap '.venv/bin/python tests/simulator/run.py stop --state-dir "$state"' EXIT
.venv/bin/python tests/simulator/run.py start --state-dir "$state" --bulk-mailboxes 1000 >/dev/null
VB365_SERVER=$(.venv/bin/python -c "import json; print(json.load(open('$state/sim.json'))['url'])")
VB365_CA_PATH=$(.venv/bin/python -c "import json; print(json.load(open('$state/sim.json'))['ca_path'])")
export VB365_SERVER VB365_CA_PATH
export VB365_DEMO_DIR="$PWD/.tmp/demo"
mkdir -p "$VB365_DEMO_DIR"
echo "Simulator at $VB365_SERVER (CA $VB365_CA_PATH); running playbooks/demo.yml"
ANSIBLE_COLLECTIONS_PATH="$PWD/build/collections" ANSIBLE_PYTHON_INTERPRETER="$PWD/.venv/bin/python" \
  ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
  .venv/bin/ansible-playbook playbooks/demo.yml
