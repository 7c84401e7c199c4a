#!/usr/bin/env bash
# The demo behind `./installer/quickstart demo`: a SoftHSM demo token holding the employer's
# certificate, then what Firmante does with it. Every line it prints is a step it performed:
# set -e stops it at the first failure.
set -euo pipefail

BUILD=${1:?build directory}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEMO="${FIRMANTE_DEMO_DIR:-$BUILD/demo}"
PIN=123456          # demo token only: a real token's PIN is typed in the agent's prompt
SO_PIN=12345678
LABEL="Firmante Demo"
FIRMANTE="$BUILD/cli/firmante"
PORTAL="$BUILD/tests/portal/firmante-portal"

step() { printf '\n\033[1m[%s] %s\033[0m\n' "$1" "$2"; }
with_pin() { "$@" --pin-fd 3 3<<<"$PIN"; }

rm -rf "$DEMO"
mkdir -p "$DEMO/tokens" "$DEMO/portal"
cat >"$DEMO/softhsm2.conf" <<CONF
directories.tokendir = $DEMO/tokens
objectstore.backend = file
log.level = ERROR
CONF
export SOFTHSM2_CONF="$DEMO/softhsm2.conf"
export FIRMANTE_MODULE=/usr/lib/softhsm/libsofthsm2.so

step 1 "Token de demostración / demo token (SoftHSM): \"$LABEL\""
softhsm2-util --init-token --free --label "$LABEL" --so-pin "$SO_PIN" --pin "$PIN" >/dev/null
"$FIRMANTE" tokens

step 2 "Llave del patrón generada en el token / employer key generated on the token"
with_pin "$FIRMANTE" keygen --token "$LABEL" --type rsa-2048 --label "Certificado IDSE A064878710"
KEY_URI=$(with_pin "$FIRMANTE" keys --token "$LABEL" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["keys"][0]["uri"])')

step 3 "Solicitud de certificado (CSR) firmada en el token / CSR signed on the token"
SUBJECT="/CN=PRUEBA 4 PRUEBA 4 PRUEBA 4/UID=A064878710/O=PRUEBA 4/C=MX"
with_pin "$FIRMANTE" csr --token "$LABEL" --key "$KEY_URI" --subject "$SUBJECT" --out "$DEMO/patron.csr"
openssl req -in "$DEMO/patron.csr" -verify -noout

[ -x "$PORTAL" ] || { echo "demo: falta / missing $PORTAL (cmake --build $BUILD --target firmante-portal)" >&2; exit 1; }
step 4 "El portal de referencia emite el certificado del patrón, ya caducado / the reference portal issues the employer's certificate, already expired"
"$PORTAL" issue --state-dir "$DEMO/portal" --csr "$DEMO/patron.csr" --expired --out "$DEMO/patron-caducado.pem"
with_pin "$FIRMANTE" import-cert --token "$LABEL" --in "$DEMO/patron-caducado.pem"
with_pin "$FIRMANTE" certs --token "$LABEL"

AGENT="$BUILD/agent/firmante-agent"
PORTAL_PID="" AGENT_PID=""
stop_background() {
  # Only the processes this script started, by their id.
  local pid
  for pid in $AGENT_PID $PORTAL_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  AGENT_PID="" PORTAL_PID=""
}
trap stop_background EXIT
trap 'exit 130' INT TERM

# Polls with a deadline (no fixed sleep): waits until "$@" succeeds, at most $1 seconds.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

step 5 "El portal de referencia escucha en loopback / the reference portal listens on loopback"
"$PORTAL" serve --state-dir "$DEMO/portal" --port 0 >"$DEMO/portal.out" 2>"$DEMO/portal.log" &
PORTAL_PID=$!
wait_for 20 grep -q '^http://' "$DEMO/portal.out" || { cat "$DEMO/portal.log" >&2; exit 1; }
PORTAL_URL=$(head -n1 "$DEMO/portal.out")
echo "$PORTAL_URL"

step 6 "El agente firmante-agent, con su propio socket, configuración y diario / firmante-agent with its own socket, config and journal"
mkdir -p "$DEMO/agent/run" "$DEMO/agent/state"
chmod 700 "$DEMO/agent/run"
cat >"$DEMO/agent/config.json" <<CONFIG
{"module": "$FIRMANTE_MODULE", "allowedOrigins": ["$PORTAL_URL"]}
CONFIG
export FIRMANTE_SOCKET="$DEMO/agent/run/agent.sock"
export XDG_RUNTIME_DIR="$DEMO/agent/run"
export XDG_STATE_HOME="$DEMO/agent/state"
export FIRMANTE_CONFIG="$DEMO/agent/config.json"
export FIRMANTE_WS_PORT=0
# The demo's pinentry types the SoftHSM demo PIN and accepts confirmations, showing each prompt.
# Descriptor 9 (this script's stderr) carries the prompts past the agent, which silences a
# pinentry's own stderr.
exec 9>&2
FIRMANTE_PINENTRY="$ROOT/installer/demo-pinentry" FIRMANTE_DEMO_PIN="$PIN" FIRMANTE_DEMO_PROMPT_FD=9 \
  "$AGENT" </dev/null >"$DEMO/agent.log" 2>&1 &
AGENT_PID=$!
agent_listens() { [ -S "$FIRMANTE_SOCKET" ] && "$FIRMANTE" tokens --json >/dev/null 2>&1; }
wait_for 20 agent_listens || { cat "$DEMO/agent.log" >&2; exit 1; }
echo "firmante-agent (pid $AGENT_PID), socket $FIRMANTE_SOCKET, origen permitido / allowed origin $PORTAL_URL"

step 7 "Renovación de los 12 pasos del manual, sin navegador / the manual's 12-step renewal, headless: firmante renew --portal $PORTAL_URL"
"$FIRMANTE" renew --portal "$PORTAL_URL" --email rh@prueba4.example --retire-old

step 8 "El certificado nuevo en el token / the new certificate on the token"
"$FIRMANTE" certs

kill "$AGENT_PID" && wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=""
if [ -t 0 ] && [ "${FIRMANTE_DEMO_KEEP_PORTAL:-1}" != 0 ]; then
  printf '\nEl portal sigue en %s para repetir la renovación en el navegador (docs/e2e.md);\n' "$PORTAL_URL"
  printf 'the portal keeps running at %s to repeat the renewal in a browser (docs/e2e.md).\n' "$PORTAL_URL"
  printf 'Ctrl-C lo detiene / stops it.\n'
  printf '\nListo / done. Archivos en / files in: %s\n' "$DEMO"
  trap - EXIT
  trap 'kill "$PORTAL_PID" 2>/dev/null; exit 0' INT TERM
  wait "$PORTAL_PID" || true
  exit 0
fi
stop_background
printf '\nListo / done. Archivos en / files in: %s\n' "$DEMO"
