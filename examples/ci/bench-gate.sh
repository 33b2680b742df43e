#!/usr/bin/env bash
# bench-gate: the performance gate a CI pipeline runs.
#
# Runs a loadlab level (or `run`) with several trials and judges it against a committed baseline,
# <OUT>/baselines/<BASELINE>/. When that baseline does not exist yet, it runs once with --save-baseline
# instead, so the first pipeline run produces the baseline to commit (it gates nothing that time).
#
# Environment (defaults in brackets):
#   LEVEL     level0 … level4, any other level command, or run   [level0]
#   TRIALS    trials of the measured phases, passed as --trials  [5]
#   BASELINE  baseline name under $OUT/baselines/                [level0-ci]
#   OUT       loadlab's results root, passed as --out            [results]
#   LOADLAB   the command line that invokes loadlab              [npm run -s loadlab --]
# Remaining arguments go to loadlab as they are, e.g. `--quick`, or for LEVEL=run
# `--target URL --rate R --duration 1s`.
#
# Exit codes (loadlab's own, passed through unchanged):
#   0  no regression against the baseline (or: baseline saved, all checks passed)
#   1  a judged KPI is worse than the baseline, or a check/threshold failed; see compare.md in the run's folder
#   2  bad usage (unknown level, bad option)
#   3  missing environment (service unreachable, binary not found)
#   4  internal error in loadlab
set -euo pipefail

LEVEL="${LEVEL:-level0}"
TRIALS="${TRIALS:-5}"
BASELINE="${BASELINE:-level0-ci}"
OUT="${OUT:-results}"
LOADLAB="${LOADLAB:-npm run -s loadlab --}"

saved="$OUT/baselines/$BASELINE"
rc=0

if [[ ! -f "$saved/run.json" ]]; then
  # No baseline yet: measure and save one. LOADLAB is a command line, so it is word-split on purpose.
  # shellcheck disable=SC2086
  $LOADLAB "$LEVEL" --trials "$TRIALS" --out "$OUT" --save-baseline "$BASELINE" "$@" || rc=$?
  if [[ $rc -eq 0 ]]; then
    echo "bench-gate: no baseline \"$BASELINE\" yet: saved $saved — commit it"
  elif [[ -f "$saved/run.json" ]]; then
    # loadlab saves the baseline even when a check failed: say so rather than invite a commit of it.
    echo "bench-gate: no baseline \"$BASELINE\" yet: saved $saved, but loadlab exited $rc (a failed check?) — review it before committing it"
  else
    echo "bench-gate: no baseline \"$BASELINE\" yet and loadlab failed (exit $rc): nothing saved"
  fi
  exit "$rc"
fi

# shellcheck disable=SC2086
$LOADLAB "$LEVEL" --trials "$TRIALS" --out "$OUT" --baseline "$BASELINE" "$@" || rc=$?
case "$rc" in
  0) echo "bench-gate: no regression against $BASELINE" ;;
  1) echo "bench-gate: REGRESSION against $BASELINE (or a failed check): see compare.md in the results folder" ;;
  *) echo "bench-gate: loadlab failed (exit $rc)" ;;
esac
exit "$rc"
