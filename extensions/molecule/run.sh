#!/usr/bin/env bash
# Run the molecule scenarios of vb365.restore against the VB365 simulator.
#
#   extensions/molecule/run.sh [SCENARIO...]        (all of them by default; `make molecule` runs this)
#
# - Starts the simulator (tests/simulator/run.py) with a user name and password made up for this
#   run, which exist only in this process's environment, and stops it whatever happens.
# - Points the scenarios at it with VB365_SERVER, VB365_USERNAME, VB365_PASSWORD, VB365_CA_PATH, and
#   gives them a made-up VB365_EXCHANGE_PASSWORD.
# - The collection comes from ANSIBLE_COLLECTIONS_PATH, by default build/collections (`make
#   collection` builds it; `make molecule` rebuilds it first). Molecule installs nothing (prerun off).
# - Runs `molecule test -s SCENARIO` for each scenario, in the checkout (molecule finds the scenarios
#   in extensions/molecule/ because galaxy.yml is there), and goes on after a failure.
# - Writes $LOGS/molecule.log, and $LOGS/molecule.summary and molecule.counts as .ci/stage.sh does,
#   so that the stage can be counted by .ci/summary.sh. Exits 1 if a scenario failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
root=$PWD
bin=${VENV_BIN:-$root/.venv/bin}
logs=${LOGS:-.tmp/logs}
work=$root/.tmp/molecule
mkdir -p "$logs" "$work"
log=$logs/molecule.log
rm -f "$logs/molecule.summary" "$logs/molecule.counts"
: >"$log"

if [ $# -eq 0 ]; then
  for f in extensions/molecule/*/molecule.yml; do
    scenario=${f%/molecule.yml}
    set -- "$@" "${scenario##*/}"
  done
fi

export PATH="$bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$root/build/collections}
if [ ! -d "$ANSIBLE_COLLECTIONS_PATH/ansible_collections/vb365/restore/roles" ]; then
  echo "molecule: no vb365.restore collection in $ANSIBLE_COLLECTIONS_PATH: run make collection first" >&2
  exit 1
fi
# Ansible's and molecule's own state stays in .tmp, not in the home directory.
export ANSIBLE_HOME=$work/ansible-home
export MOLECULE_NO_LOG=false ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 NO_COLOR=1
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

VB365_USERNAME="molecule-$("$bin/python" -c 'import secrets; print(secrets.token_hex(4))')"
VB365_PASSWORD="$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')"
VB365_EXCHANGE_PASSWORD="$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')"
export VB365_USERNAME VB365_PASSWORD VB365_EXCHANGE_PASSWORD
# Ansible's own copies of the environment must not win over ours.
unset VB365_VALIDATE_CERTS VB365_SESSION_LEDGER VB365_REQUEST_TIMEOUT

state=$work/sim
trap '"$bin/python" tests/simulator/run.py stop --state-dir "$state" >/dev/null 2>&1 || true' EXIT
# Small and quick: 20 tailspin mailboxes, no latency, restores done in 20 ms. fd 9 (build/.lock
# under .ci/collection.sh) is not the simulator's to hold.
if ! "$bin/python" tests/simulator/run.py start --state-dir "$state" --bulk-mailboxes 20 --latency-ms 0 \
    --restore-delay-ms 20 >"$work/sim.json" 9>&-; then
  echo "molecule: the simulator did not start; its log: $state/sim.log" >&2
  exit 1
fi
VB365_SERVER=$("$bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "$work/sim.json")
VB365_CA_PATH=$("$bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["ca_path"])' "$work/sim.json")
export VB365_SERVER VB365_CA_PATH
echo "molecule: simulator at $VB365_SERVER, collection from $ANSIBLE_COLLECTIONS_PATH" | tee -a "$log"

start=$SECONDS
passed=0 failed=0 failures=""
for scenario in "$@"; do
  began=$SECONDS
  echo "+ molecule test -s $scenario" | tee -a "$log"
  if "$bin/molecule" test -s "$scenario" </dev/null 2>&1 | tee -a "$log"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
    passed=$((passed + 1))
    echo "molecule: $scenario passed ($((SECONDS - began)) s)" | tee -a "$log"
  else
    failed=$((failed + 1))
    failures="$failures $scenario"
    echo "molecule: $scenario FAILED ($((SECONDS - began)) s)" | tee -a "$log"
  fi
done

detail=""
[ -n "$failures" ] && detail=" (failed:$failures; see $log)"
summary="molecule: $passed passed, $failed failed$detail ($((SECONDS - start)) s)"
echo "$summary" >"$logs/molecule.summary"
echo "$passed $failed" >"$logs/molecule.counts"
echo "$summary"
[ "$failed" -eq 0 ]
