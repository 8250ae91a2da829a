#!/usr/bin/env bash
# Links the third-party protos our contracts import into .protodeps/ (git-ignored),
# taking them from Go modules so that generation works without the Buf Schema
# Registry and without copying third-party files into the repository:
#   google/api/{annotations,http}.proto  from github.com/grpc-ecosystem/grpc-gateway v1.16.0
#   buf/validate/validate.proto          from github.com/bufbuild/protovalidate v1.2.2
#   protoc-gen-openapiv2/options/*.proto from github.com/grpc-ecosystem/grpc-gateway/v2 (go.mod's version)
set -euo pipefail
cd "$(dirname "$0")/.."

module_dir() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

gateway_v1=$(module_dir github.com/grpc-ecosystem/grpc-gateway@v1.16.0)
gateway_v2=$(module_dir "github.com/grpc-ecosystem/grpc-gateway/v2@$(go list -m -f '{{.Version}}' github.com/grpc-ecosystem/grpc-gateway/v2)")
protovalidate=$(module_dir github.com/bufbuild/protovalidate@v1.2.2)

mkdir -p .protodeps
ln -sfn "$gateway_v1/third_party/googleapis" .protodeps/googleapis
ln -sfn "$protovalidate/proto/protovalidate" .protodeps/protovalidate
# Only the options folder: the module root holds many unrelated protos.
mkdir -p .protodeps/openapiv2/protoc-gen-openapiv2
ln -sfn "$gateway_v2/protoc-gen-openapiv2/options" .protodeps/openapiv2/protoc-gen-openapiv2/options
