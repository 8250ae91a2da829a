#!/usr/bin/env bash
# gofmt, go vet, staticcheck and buf lint: the checks `make lint` and CI share.
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
