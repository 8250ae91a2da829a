#!/usr/bin/env bash
# gofmt, go vet, staticcheck, buf lint and the docs' shell blocks: the checks `make lint` and CI share.
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
# Default checks (no staticcheck.conf); the first build of the tool takes
# about half a minute, later runs a few seconds.
go tool -modfile=tools/go.mod staticcheck ./...
./scripts/protodeps.sh
go tool -modfile=tools/go.mod buf lint
# The README's shell blocks are meant to be pasted: each must parse (a stray
# quote inside single-quoted JSON once broke one).
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
for doc in README.md docs/*.md; do
  if ! awk '/^```(sh|bash)$/{f=1;next} /^```/{f=0} f' "$doc" | bash -n 2>"$errors"; then
    echo "$doc: a shell block does not parse:"; cat "$errors"; exit 1
  fi
done
