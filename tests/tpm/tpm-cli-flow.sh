#!/bin/bash
# The token half of a renewal on a TPM token (tpm2-pkcs11 on swtpm, see with-tpm-token.sh), through
# the CLI as a person with such a token would run it: keygen → CSR → certificate issued by a
# throw-away CA and installed on the token → CMS letter signature; every output checked with
# openssl, not with our code. One key type per run:
#
#   with-tpm-token.sh tpm-cli-flow.sh FIRMANTE_BINARY rsa-2048|ec-p256|ec-p384
set -euo pipefail
firmante=$1
type=$2
# The token's PIN: with-tpm-token.sh or ../p11kit/with-proxy-token.sh sets it.
pin=${FIRMANTE_TEST_PIN:-${FIRMANTE_TPM_PIN:?}}
work=$(mktemp -d "${TMPDIR:-/tmp}/firmante-tpm-flow.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
# No agent: the CLI talks to the token itself (--pin-fd implies that too).
export FIRMANTE_SOCKET="$work/no-agent.sock" LANG=C.UTF-8 LC_ALL=C.UTF-8
printf '%s' "$pin" >pin
fail() { echo "FAIL: $*" >&2; exit 1; }
ms() { date +%s%3N; }

# The token says what it offers before anything else.
"$firmante" tokens --json >tokens.json
jq -e --arg t "$type" '.tokens[0].keyTypes | index($t) != null' tokens.json >/dev/null ||
  fail "tokens --json does not offer $type: $(jq -c '.tokens[0].keyTypes' tokens.json)"

t0=$(ms)
"$firmante" keygen --type "$type" --label "tpm-$type" --pin-fd 3 --json 3<pin >keygen.json
t1=$(ms)
key=$(jq -r '.key.uri' keygen.json)
[ "$(jq -r '.key.algorithm' keygen.json)" = "$type" ] || fail "keygen made $(jq -r .key.algorithm keygen.json)"
jq -e '.key.keyAttributes.extractable == false' keygen.json >/dev/null ||
  fail "the TPM key is extractable: $(jq -c .key.keyAttributes keygen.json)"

"$firmante" csr --key "$key" --subject "/CN=PRUEBA TPM/O=PRUEBA 4/C=MX" --out req.pem --pin-fd 3 \
  --json 3<pin >csr.json
t2=$(ms)
openssl req -in req.pem -verify -noout 2>&1 | grep -q "verify OK" || fail "CSR does not verify"
openssl req -in req.pem -pubkey -noout | openssl pkey -pubin -outform DER >req-pub.der
[ "$(base64 -w0 req-pub.der)" = "$(jq -r '.key.spki' keygen.json)" ] || fail "CSR carries another key"

# A throw-away CA issues the certificate from the CSR (as the portal's CA would).
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
  -subj "/CN=Firmante TPM Test CA" 2>/dev/null
openssl x509 -req -in req.pem -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -out cert.pem \
  2>/dev/null
"$firmante" import-cert --in cert.pem --pin-fd 3 --json 3<pin >import.json
cert=$(jq -r '.certificate.uri' import.json)
[ "$(jq -r '.certificate.keyUri' import.json)" != null ] || fail "certificate not paired with its key"

printf '%%PDF-1.4\nCarta de aceptación (prueba TPM %s)\n' "$type" >carta.pdf
t3=$(ms)
"$firmante" sign --cert "$cert" --in carta.pdf --out carta.p7s --pin-fd 3 --json 3<pin >sign.json
t4=$(ms)
openssl cms -verify -binary -inform DER -in carta.p7s -content carta.pdf -CAfile ca.pem \
  -purpose any -out /dev/null 2>verify.txt || fail "CMS does not verify: $(cat verify.txt)"
# A changed letter must not verify (the check above can fail).
printf 'x' >>carta.pdf
if openssl cms -verify -binary -inform DER -in carta.p7s -content carta.pdf -CAfile ca.pem \
  -purpose any -out /dev/null 2>/dev/null; then fail "a changed letter verified"; fi
echo "tpm $type: keygen $((t1 - t0)) ms, csr $((t2 - t1)) ms, sign $((t4 - t3)) ms"
