#!/usr/bin/env bash
# Run one stage of `make test` and count its tests.
#
#   .ci/stage.sh NAME KIND COMMAND [ARG...]       KIND: pytest | sanity | lint
#
# COMMAND's output goes to the terminal and to .tmp/logs/NAME.log. Then the tests it ran are
# counted from that output, and .tmp/logs/NAME.summary gets one line for people
# ("NAME: P passed, F failed ...") and .tmp/logs/NAME.counts one for .ci/summary.sh ("P F").
# The stage fails when COMMAND fails, and also when it ran no test at all (pytest's exit code 5,
# an empty directory, a tool that printed no result): a stage with nothing to count is no pass.
set -uo pipefail
name=$1 kind=$2
shift 2
logs=${LOGS:-.tmp/logs}
mkdir -p "$logs"
log="$logs/$name.log"
rm -f "$logs/$name.summary" "$logs/$name.counts"

echo "+ $*"
start=$SECONDS
"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
elapsed=$((SECONDS - start))

# number WORDS TEXT: the number written before WORDS (an extended regex) in TEXT, or 0.
number() {
  local found
  found=$(grep -oE "[0-9]+ ($1)([^[:alnum:]_]|\$)" <<<"$2" | tail -n 1 | grep -oE '^[0-9]+')
  echo "${found:-0}"
}

passed=0 failed=0 detail=""
case $kind in
  pytest)
    # pytest's closing line, e.g. "==== 2 failed, 98 passed, 1 error in 12.3s ====".
    line=$(grep -E '(passed|failed|errors?|skipped|no tests ran).* in [0-9.]+s' "$log" | tail -n 1)
    passed=$(number passed "$line")
    failed=$(( $(number failed "$line") + $(number 'errors?' "$line") ))
    skipped=$(number skipped "$line")
    [ "$skipped" -gt 0 ] && detail=", $skipped skipped"
    ;;
  sanity)
    ran=$(grep -c '^Running sanity test' "$log")
    skipped=$(grep -c 'Skipping sanity test' "$log")
    failed=$(grep -oE 'The [0-9]+ sanity test\(s\) listed below' "$log" | grep -oE '[0-9]+' | tail -n 1)
    failed=${failed:-0}
    passed=$((ran - failed - skipped))
    [ "$skipped" -gt 0 ] && detail=", $skipped skipped"
    ;;
  lint)
    # ansible-lint's closing line, e.g. "Passed: 0 failure(s), 0 warning(s) in 24 files processed ...".
    line=$(grep -E '^(Passed|Failed): ' "$log" | tail -n 1)
    failed=$(number 'failure\(s\)' "$line")
    files=$(number 'files' "$line")
    [ "$failed" -eq 0 ] && passed=$files
    detail=" ($files files checked, $(number 'warning\(s\)' "$line") warnings)"
    ;;
  *)
    echo "stage.sh: unknown kind $kind" >&2
    exit 2
    ;;
esac

if [ "$kind" = pytest ] && [ "$rc" -eq 5 ]; then
  failed=1
  detail="$detail; pytest collected no test, see $log"
elif [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # it failed without a count: a crash, a bad option, a collection error
  detail="$detail; exit code $rc without a test count, see $log"
elif [ "$rc" -eq 0 ] && [ "$failed" -gt 0 ]; then
  rc=1  # a count of failures is a failure, whatever the exit code said
elif [ "$rc" -eq 0 ] && [ "$passed" -eq 0 ]; then
  rc=1
  failed=1
  detail="$detail; ran no test, see $log"
fi

summary="$name: $passed passed, $failed failed$detail (${elapsed} s)"
echo "$summary" >"$logs/$name.summary"
echo "$passed $failed" >"$logs/$name.counts"
echo "$summary"
exit "$rc"
