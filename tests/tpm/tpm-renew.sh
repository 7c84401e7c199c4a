#!/bin/bash
# The manual's 12-step renewal on a TPM token (tpm2-pkcs11 on swtpm, see with-tpm-token.sh):
# the employer's key is generated on the TPM, the reference portal issues its certificate already
# expired, then `firmante renew --direct` runs every step against the portal, which checks each
# signature itself with OpenSSL (origin-bound logins, CSR, both CMS letters, proof of possession).
#
#   with-tpm-token.sh tpm-renew.sh FIRMANTE_BINARY FIRMANTE_PORTAL_BINARY KEY_TYPE
set -euo pipefail
firmante=$1
portal=$2
type=$3
# The token's PIN: with-tpm-token.sh or ../p11kit/with-proxy-token.sh sets it.
pin=${FIRMANTE_TEST_PIN:-${FIRMANTE_TPM_PIN:?}}
work=$(mktemp -d "${TMPDIR:-/tmp}/firmante-tpm-renew.XXXXXX")
portal_pid=""
cleanup() {
  [ -n "$portal_pid" ] && kill "$portal_pid" 2>/dev/null && { wait "$portal_pid" 2>/dev/null || true; }
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

start=$(date +%s%3N)
"$firmante" renew --portal "$url" --direct --pin-fd 0 --keep-old --email rh@prueba4.example \
  <<<"$pin" >renew.out 2>renew.err || fail "renew: $(cat renew.err) $(tail -5 renew.out)"
end=$(date +%s%3N)
grep -q "^Paso 12 — " renew.out || grep -q "Paso 12 — " renew.out || fail "step 12 missing: $(cat renew.out)"
grep -q "Bienvenido al Portal de IMSS" renew.out || fail "no login with the new certificate"
# Both certificates on the TPM: the expired one kept, the new one valid and paired with a key.
with_pin "$firmante" certs --json >certs.json
[ "$(jq '.certificates | length' certs.json)" = 2 ] || fail "$(jq -c . certs.json)"
jq -e '[.certificates[] | select(.expired == false and .keyUri != null)] | length == 1' \
  certs.json >/dev/null || fail "no valid new certificate paired with its key"
echo "tpm $type: 12-step renewal in $((end - start)) ms"
