#!/usr/bin/env bash
# Lints the generated OpenAPI document (gateway/openapi/yardstick.swagger.json)
# with Redocly CLI and the rules in gateway/openapi/redocly.yaml.
# Redocly is pinned and installed with npm on first use into a cache outside
# the repository (REDOCLY_CACHE, by default under ~/.cache); it needs Node.js
# and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

# The 1.x line: it runs on Node 18 (Debian 12's nodejs); 2.x needs Node 20.19+.
REDOCLY_VERSION=1.34.20
cache="${REDOCLY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/yardstick/redocly-$REDOCLY_VERSION}"
redocly="$cache/node_modules/.bin/redocly"
if [ ! -x "$redocly" ]; then
  mkdir -p "$cache"
  # No install scripts: the CLI needs none, and they would run as this user.
  npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts --loglevel=error "@redocly/cli@$REDOCLY_VERSION"
fi
"$redocly" lint --config gateway/openapi/redocly.yaml gateway/openapi/yardstick.swagger.json
