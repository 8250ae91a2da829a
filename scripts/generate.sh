#!/usr/bin/env bash
# Regenerates the Go, gateway and OpenAPI code from the protos with the
# generators pinned in tools/go.mod.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/protodeps.sh
# Old outputs go first, so that a deleted proto leaves no generated file behind.
find proto -type f \( -name '*.pb.go' -o -name '*.pb.gw.go' \) -delete
rm -f gateway/openapi/*.swagger.json
go tool -modfile=tools/go.mod buf generate
