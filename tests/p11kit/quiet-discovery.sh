#!/bin/bash
# Issue 11 §8, hostile case first: through p11-kit-proxy, a registered module that cannot start
# (tpm2-pkcs11 with no TPM reachable, as with-proxy-token.sh arranges) must cost one log line of
# the agent's, not its dozen lines of errors on the terminal of every command.
#
#   with-proxy-token.sh quiet-discovery.sh FIRMANTE_BINARY FIRMANTE_AGENT_BINARY
set -euo pipefail
firmante=$1
agent=$2
work=$FIRMANTE_PROXY_WORK
agent_pid=""
cleanup() {
  if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null; fi
  return 0
}
trap cleanup EXIT
trap 'exit 143' TERM INT
cd "$work"
export FIRMANTE_SOCKET="$work/no-agent.sock" LANG=C.UTF-8 LC_ALL=C.UTF-8
fail() { echo "FAIL: $*" >&2; exit 1; }

# The hostile case is real: p11-kit's own tool, in the same environment, shows the module
# failing noisily. Without a registered module that fails there is nothing to test.
grep -qs tpm2 /usr/share/p11-kit/modules/*.module ||
  { echo "SKIP: no tpm2-pkcs11 registered with p11-kit (libtpm2-pkcs11-1)" >&2; exit 77; }
p11-kit list-modules >p11kit.out 2>p11kit.err || true
grep -q "Could not initialize tpm ctx\|ERROR" p11kit.err ||
  fail "tpm2-pkcs11 did not fail here; p11-kit list-modules said: $(head -3 p11kit.err)"
grep -q "Firmante Proxy" p11kit.out || fail "p11-kit does not reach the SoftHSM token"

# Every command: the token is there, and nothing from the failing module reaches stderr.
"$firmante" tokens --json >tokens.json 2>tokens.err
jq -e '.tokens | map(.label) | index("Firmante Proxy") != null' tokens.json >/dev/null ||
  fail "tokens --json through the proxy: $(cat tokens.json)"
[ ! -s tokens.err ] || fail "firmante tokens printed on stderr: $(head -5 tokens.err)"
"$firmante" keygen --type ec-p256 --label quiet --pin-fd 3 --json 3<<<"$FIRMANTE_TEST_PIN" \
  >keygen.json 2>keygen.err
[ ! -s keygen.err ] || fail "firmante keygen printed on stderr: $(head -5 keygen.err)"
"$firmante" keys --json --pin-fd 3 3<<<"$FIRMANTE_TEST_PIN" >keys.json 2>keys.err
[ ! -s keys.err ] || fail "firmante keys printed on stderr: $(head -5 keys.err)"
# The doctor is where a person looks: it shows the module's words, in one field.
"$firmante" doctor --json >doctor.json 2>doctor.err || true
[ ! -s doctor.err ] || fail "firmante doctor printed on stderr: $(head -5 doctor.err)"
jq -e '.checks[] | select(.id == "module") | .details.startupOutput | test("tpm")' doctor.json \
  >/dev/null || fail "doctor does not show the module's output: $(jq -c '.checks[0]' doctor.json)"

# The agent: one log line, on start, and nothing on its stderr from the module.
export FIRMANTE_SOCKET="$work/agent.sock" XDG_STATE_HOME="$work/state" \
  FIRMANTE_CONFIG="$work/config.json" FIRMANTE_ADMIN_CONFIG="$work/admin.json"
"$agent" >agent.out 2>agent.err &
agent_pid=$!
# Readiness is asked of the agent (it makes its socket after loading the module), not assumed.
for _ in $(seq 300); do
  [ -S "$FIRMANTE_SOCKET" ] && break
  kill -0 "$agent_pid" 2>/dev/null || fail "the agent ended: $(cat agent.err)"
  sleep 0.1
done
[ -S "$FIRMANTE_SOCKET" ] || fail "the agent did not open its socket: $(cat agent.err)"
"$firmante" tokens --json >agent-tokens.json
jq -e '.tokens | map(.label) | index("Firmante Proxy") != null' agent-tokens.json >/dev/null ||
  fail "tokens through the agent: $(cat agent-tokens.json)"
"$firmante" tokens --json >/dev/null  # a second command must not log it again
kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""
log="$work/state/firmante/agent.log"
lines=$(grep -c "kept out of the terminal" "$log" || true)
[ "$lines" = 1 ] || fail "expected one log line about the module, got $lines: $(cat "$log")"
grep "kept out of the terminal" "$log" | grep -q "tpm" ||
  fail "the log line does not carry the module's words: $(grep 'kept out' "$log")"
bad=$(grep -v "kept out of the terminal" agent.err | grep -c "ERROR:tcti\|Could not initialize tpm ctx" || true)
[ "$bad" = 0 ] || fail "the module's own lines reached the agent's stderr: $(head -5 agent.err)"
echo "quiet: one log line: $(grep 'kept out of the terminal' "$log" | cut -c1-300)"
