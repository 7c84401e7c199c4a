#!/usr/bin/env bash
# The browser end-to-end suite (docs/e2e.md): the twelve-step renewal in headless Chromium, through
# the extension and through the agent's WebSocket, in headless Firefox ESR through its build of the
# extension and over the WebSocket, the origin checks, and what a person sees when something fails
# (the Firefox popup in a headed Firefox on a private Xvfb display: Xvfb, xdotool, ImageMagick).
#
#   tests/e2e/run.sh BUILD_DIR [--browser chromium|firefox]   (default chromium)
#
# Needs the build's firmante-agent, firmante-nmhost, firmante, firmante-portal and the fake
# pinentry (tests/agent), /usr/bin/chromium (FIRMANTE_CHROMIUM overrides), /usr/bin/firefox-esr
# (FIRMANTE_FIREFOX overrides), node 20 and npm.
set -euo pipefail

BUILD=$(cd "${1:?usage: tests/e2e/run.sh BUILD_DIR [--browser chromium|firefox]}" && pwd)
BROWSER=chromium
if [ "${2:-}" = "--browser" ]; then BROWSER=${3:?--browser needs chromium or firefox}; fi
case "$BROWSER" in
  chromium) TESTS=(tests/e2e/*.test.mjs) ;;
  firefox) TESTS=(tests/e2e/firefox/*.test.mjs) ;;
  *) echo "unknown browser $BROWSER" >&2; exit 2 ;;
esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

if [ ! -d "$HERE/node_modules/playwright-core" ] || [ ! -d "$HERE/node_modules/puppeteer-core" ]; then
  (cd "$HERE" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
fi

EXTENSION=$(mktemp -d "${TMPDIR:-/tmp}/firmante-e2e-extension.XXXXXX")
trap 'rm -rf "$EXTENSION"' EXIT
node "$ROOT/extension/tools/build.mjs" --target chromium --out "$EXTENSION/chromium" >/dev/null
node "$ROOT/extension/tools/build.mjs" --target firefox --out "$EXTENSION/firefox" >/dev/null

cd "$ROOT"
FIRMANTE_BUILD="$BUILD" FIRMANTE_E2E_EXTENSION="$EXTENSION/chromium" \
  FIRMANTE_E2E_FIREFOX_EXTENSION="$EXTENSION/firefox" \
  node --test --test-concurrency=1 "${TESTS[@]}"
