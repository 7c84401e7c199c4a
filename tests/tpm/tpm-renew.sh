#!/bin/bash
# The manual's 12-step renewal on a TPM token (tpm2-pkcs11 on swtpm, see with-tpm-token.sh):
# the employer's key is generated on the TPM, the reference portal issues its certificate already
# expired, then `firmante renew` runs every step against the portal, which checks each signature
# itself with OpenSSL (origin-bound logins, CSR, both CMS letters, proof of possession).
#
#   with-tpm-token.sh tpm-renew.sh FIRMANTE_BINARY FIRMANTE_PORTAL_BINARY KEY_TYPE \
#     direct | agent FIRMANTE_AGENT_BINARY FAKE_PINENTRY_BINARY
#
# direct: the CLI opens the token itself (`--direct`, the PIN on a descriptor). agent: the real
# firmante-agent holds the token and asks its PIN through a scripted pinentry, as a browser's
# renewal does; the prompts it showed are counted (issue 12 §3: at most 3 PINs for the 12 steps).
set -euo pipefail
firmante=$1
portal=$2
type=$3
via=${4:-direct}
agent_bin=${5:-}
pinentry_bin=${6:-}
# The token's PIN: with-tpm-token.sh or ../p11kit/with-proxy-token.sh sets it.
pin=${FIRMANTE_TEST_PIN:-${FIRMANTE_TPM_PIN:?}}
work=$(mktemp -d "${TMPDIR:-/tmp}/firmante-tpm-renew.XXXXXX")
portal_pid="" agent_pid=""
cleanup() {
  local rc=$? p
  [ "$rc" -ne 0 ] && [ -s "$work/agent.log" ] && { echo "--- firmante-agent" >&2; tail -n 30 "$work/agent.log" >&2; }
  for p in "$agent_pid" "$portal_pid"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null && { wait "$p" 2>/dev/null || true; }
  done
  rm -rf "$work"
}
trap cleanup EXIT
# A timeout's SIGTERM ends the script through the EXIT trap, so nothing is left running.
trap 'exit 143' TERM INT
cd "$work"
export FIRMANTE_SOCKET="$work/no-agent.sock" XDG_STATE_HOME="$work/state" LANG=C.UTF-8 LC_ALL=C.UTF-8
mkdir -p state
fail() { echo "FAIL: $*" >&2; exit 1; }
with_pin() { "$@" --pin-fd 3 3<<<"$pin"; }

key=$(with_pin "$firmante" keygen --type "$type" --label patron --json | jq -r .key.uri)
with_pin "$firmante" csr --key "$key" --out patron.csr \
  --subject "/CN=PRUEBA 4 PRUEBA 4 PRUEBA 4/UID=A064878710/O=PRUEBA 4/C=MX" >/dev/null
"$portal" issue --state-dir "$work/portal" --csr patron.csr --expired --out expired.pem >/dev/null
with_pin "$firmante" import-cert --in expired.pem >/dev/null

"$portal" serve --state-dir "$work/portal" --port 0 >portal.out 2>portal.log &
portal_pid=$!
for _ in $(seq 1 400); do grep -q '^http://' portal.out && break; sleep 0.025; done
url=$(head -n1 portal.out)
[ -n "$url" ] || fail "the portal did not start: $(cat portal.log)"

case "$via" in
  direct)
    start=$(date +%s%3N)
    "$firmante" renew --portal "$url" --direct --pin-fd 0 --keep-old --email rh@prueba4.example \
      <<<"$pin" >renew.out 2>renew.err || fail "renew: $(cat renew.err) $(tail -5 renew.out)"
    end=$(date +%s%3N)
    grep -q "Paso 12 — " renew.out || fail "step 12 missing: $(cat renew.out)"
    grep -q "Bienvenido al Portal de IMSS" renew.out || fail "no login with the new certificate"
    ;;
  agent)
    [ -x "$agent_bin" ] && [ -x "$pinentry_bin" ] || fail "agent mode needs the agent and the fake pinentry"
    # The person's answers, in the order the agent asks: PIN to log in with the expired
    # certificate, PIN for the new key (the token then stays unlocked for this renewal), letter 1,
    # letter 2, then the PIN again to log in with the new certificate after renewal.finish.
    printf 'pin %s\npin %s\nconfirm yes\nconfirm yes\npin %s\n' "$pin" "$pin" "$pin" >pinentry.script
    jq -n --arg o "$url" '{allowedOrigins: [$o]}' >agent.json
    mkdir -p run
    agent_sock="$work/run/agent.sock"
    agent_asan_options="${ASAN_OPTIONS:-}"   # unset outside ASan builds and for p11-kit runs
    agent_asan_options="${agent_asan_options//fast_unwind_on_malloc=0/}"
    FIRMANTE_SOCKET="$agent_sock" FIRMANTE_CONFIG="$work/agent.json" FIRMANTE_WS_PORT=0 \
      XDG_CONFIG_HOME="$work/xdg-config" FIRMANTE_PINENTRY="$pinentry_bin" \
      FAKE_PINENTRY_SCRIPT="$work/pinentry.script" FAKE_PINENTRY_LOG="$work/pinentry.log" \
      ASAN_OPTIONS="$agent_asan_options" \
      "$agent_bin" >agent.log 2>&1 &
    agent_pid=$!
    # Under ASan the slow unwinder (SLOW_UNWIND in TokenFlowTests.cmake) is for the CLI's leak
    # check at exit; the agent is stopped with SIGTERM and its exit status is not the test's, so
    # it runs with the fast one (about half the time of this test).
    # Ready when it answers tokens.list with the TPM token (polled, bounded: about 30 s).
    ready=""
    for _ in $(seq 1 600); do
      if [ -S "$agent_sock" ] &&
        FIRMANTE_SOCKET="$agent_sock" "$firmante" tokens --json 2>/dev/null >tokens.json &&
        [ "$(jq -r '.via' tokens.json)" = agent ] && [ "$(jq '.tokens | length' tokens.json)" -ge 1 ]; then
        ready=1
        break
      fi
      kill -0 "$agent_pid" 2>/dev/null || fail "the agent ended: $(tail -5 agent.log)"
      sleep 0.05
    done
    [ -n "$ready" ] || fail "the agent did not list the TPM token: $(tail -5 agent.log)"
    start=$(date +%s%3N)
    FIRMANTE_SOCKET="$agent_sock" "$firmante" renew --portal "$url" --keep-old --json \
      --email rh@prueba4.example >renew.json 2>renew.err ||
      fail "renew through the agent: $(cat renew.err) $(tail -c 600 renew.json)"
    end=$(date +%s%3N)
    [ "$(jq -r .via renew.json)" = agent ] || fail "not through the agent: $(jq -c .via renew.json)"
    [ "$(jq '.steps | length' renew.json)" = 12 ] || fail "$(jq -c .steps renew.json)"
    [ "$(jq -r '.steps[11].status' renew.json)" = LOGGED_IN ] || fail "no login with the new certificate"
    pins=$(jq -s '[.[] | select(.command == "GETPIN")] | length' pinentry.log)
    confirms=$(jq -s '[.[] | select(.command == "CONFIRM")] | length' pinentry.log)
    [ "$pins" -le 3 ] || fail "$pins PIN prompts for one renewal (at most 3)"
    [ "$confirms" -ge 2 ] || fail "the letters were not each confirmed ($confirms confirmations)"
    jq -e -s --arg o "$url" 'all(.[]; .description | contains($o))' pinentry.log >/dev/null ||
      fail "a prompt did not name the portal"
    echo "tpm $type via the agent: $pins PIN prompts, $confirms confirmations"
    ;;
  *) fail "via: direct or agent, not $via" ;;
esac
# Both certificates on the TPM: the expired one kept, the new one valid and paired with a key.
with_pin "$firmante" certs --json >certs.json
[ "$(jq '.certificates | length' certs.json)" = 2 ] || fail "$(jq -c . certs.json)"
jq -e '[.certificates[] | select(.expired == false and .keyUri != null)] | length == 1' \
  certs.json >/dev/null || fail "no valid new certificate paired with its key"
echo "tpm $type ($via): 12-step renewal in $((end - start)) ms"
