#!/usr/bin/env bash
# Print the closing summary of `make test`: one line per stage, from .tmp/logs/STAGE.summary,
# then the totals as "total: P passed, F failed". Exits non-zero when a stage failed or did not
# report. Usage: .ci/summary.sh STAGE...
set -uo pipefail
logs=${LOGS:-.tmp/logs}
rc=0 passed=0 failed=0
echo
echo "=== make test: summary ==="
for stage in "$@"; do
  if [ -f "$logs/$stage.counts" ]; then
    cat "$logs/$stage.summary"
    read -r p f <"$logs/$stage.counts"
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -eq 0 ] || rc=1
  else
    echo "$stage: failed before any test ran, see the output above"
    failed=$((failed + 1))
    rc=1
  fi
done
# The line CI reads: sanity tests, unit and integration tests, and lint (files when clean,
# violations when not), added up.
echo "total: $passed passed, $failed failed" | tee "$logs/total"
exit "$rc"
