#!/usr/bin/env bash
# Short fuzzing runs: every FuzzXxx target of the repository's _test.go files,
# one `go test -fuzz` each (go test fuzzes one target per invocation).
#
#   ./scripts/fuzz.sh                   every target, FUZZTIME (default 10s) each
#   FUZZTIME=5m ./scripts/fuzz.sh FuzzImportYAML   one target, longer
#
# The seeds (f.Add and testdata/fuzz/<FuzzName>/) also run as ordinary tests
# in `go test ./...`. A failing input is written to the package's
# testdata/fuzz/<FuzzName>/: once fixed, commit it as a regression seed.
#
# The first run builds each package's dependencies again with coverage
# instrumentation, which takes minutes for the packages that embed the
# database; later runs reuse the build cache.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-10s}
# Minimizing each new interesting input (60s by default) can stall a short
# run; a failing input is still reported and saved, only less minimized.
minimizetime=${FUZZMINIMIZETIME:-1s}

# count is the number of files in a folder, 0 when it does not exist.
count() { { ls "$1" 2>/dev/null || true; } | wc -l; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
ran=0
while read -r file name; do
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then
    continue
  fi
  pkg=./$(dirname "$file")
  start=$SECONDS
  ran=$((ran + 1))
  corpus="$pkg/testdata/fuzz/$name"
  before=$(count "$corpus")
  if go test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimizetime" "$pkg" </dev/null >"$log" 2>&1; then
    echo "ok   $name ($pkg, $((SECONDS - start))s)"
  elif grep -q "context deadline exceeded" "$log" && ! grep -q -- "--- FAIL: $name/" "$log" &&
    [ "$(count "$corpus")" -eq "$before" ]; then
    # Go's fuzzing engine sometimes reports its own time running out (while
    # it minimizes a new input) as a failure, with no failing input saved and
    # no test failed: that is the end of the run, not a finding.
    echo "ok   $name ($pkg, $((SECONDS - start))s; the engine's own deadline ended the run)"
  else
    cat "$log"
    echo "FAIL $name ($pkg): the failing input is under $pkg/testdata/fuzz/$name/"
    failed+=("$name")
  fi
done < <(git grep --untracked -n -E '^func Fuzz[A-Za-z0-9_]*\(' -- '*_test.go' |
  sed -E 's/^([^:]*):[0-9]+:func (Fuzz[A-Za-z0-9_]*)\(.*$/\1 \2/')

if [ "$ran" -eq 0 ]; then
  echo "no fuzz target matched${*:+: $*}"; exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]}"; exit 1
fi
