#!/usr/bin/env bash
# The browser end-to-end suite (docs/e2e.md): the twelve-step renewal in headless Chromium, through
# the extension and through the agent's WebSocket, and the origin checks.
#
#   tests/e2e/run.sh BUILD_DIR
#
# Needs the build's firmante-agent, firmante-nmhost, firmante, firmante-portal and the fake
# pinentry (tests/agent), /usr/bin/chromium (FIRMANTE_CHROMIUM overrides), node 20 and npm.
set -euo pipefail

BUILD=$(cd "${1:?usage: tests/e2e/run.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  (cd "$HERE" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
fi

EXTENSION=$(mktemp -d "${TMPDIR:-/tmp}/firmante-e2e-extension.XXXXXX")
trap 'rm -rf "$EXTENSION"' EXIT
node "$ROOT/extension/tools/build.mjs" --target chromium --out "$EXTENSION/chromium" >/dev/null

cd "$ROOT"
FIRMANTE_BUILD="$BUILD" FIRMANTE_E2E_EXTENSION="$EXTENSION/chromium" \
  node --test --test-concurrency=1 tests/e2e/
