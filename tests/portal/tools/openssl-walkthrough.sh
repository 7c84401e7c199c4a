#!/usr/bin/env bash
# Walks the portal's twelve steps with nothing but curl, jq and the openssl
# command line: the same checks docs/portal-integration.md describes, done by
# hand. Used as a test (PortalOpensslWalkthrough) so the documented commands
# stay true.
#
#   tests/portal/tools/openssl-walkthrough.sh path/to/firmante-portal
set -euo pipefail

PORTAL=${1:?usage: $0 path/to/firmante-portal}
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
STATE=$WORK/state
fail() { echo "FAIL: $*" >&2; exit 1; }

"$PORTAL" serve --state-dir "$STATE" --port 0 >url.txt 2>serve.log &
SERVER_PID=$!
# Poll (with a deadline) for the first stdout line: the portal's URL.
for _ in $(seq 100); do [ -s url.txt ] && break; sleep 0.1; done
URL=$(head -1 url.txt)
[[ $URL == http://127.0.0.1:* ]] || fail "no URL printed"

# The demo employer's certificate, already expired, for a key made here.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out old.key 2>/dev/null
openssl req -new -key old.key -subj "/CN=token" -out old.csr
"$PORTAL" issue --state-dir "$STATE" --csr old.csr --expired --out old.pem
"$PORTAL" ca-cert --state-dir "$STATE" >ca.pem
openssl verify -no_check_time -CAfile ca.pem old.pem >/dev/null

# origin-bound signature: SHA-256(origin) || SHA-256(nonce), signed with SHA-256.
sign() { # KEY NONCE_BASE64 -> base64 signature
    { printf '%s' "$URL" | openssl dgst -sha256 -binary
      printf '%s' "$2" | base64 -d | openssl dgst -sha256 -binary; } >msg.bin
    openssl dgst -sha256 -sign "$1" -out sig.bin msg.bin
    openssl pkey -in "$1" -pubout -out pub.pem
    openssl dgst -sha256 -verify pub.pem -signature sig.bin msg.bin >/dev/null
    base64 -w0 sig.bin
}
SESSION=
api() { curl -sS -H "X-IDSE-Session: $SESSION" -H 'Content-Type: application/json' "$@"; }
expect() { # JQ-FILTER JSON
    echo "$2" | jq -e "$1" >/dev/null || fail "expected $1 in $2"
}

# Steps 1-2: login with the expired certificate.
R=$(api -X POST -d '{}' "$URL/api/login/start")
SESSION=$(echo "$R" | jq -r .session)
NONCE=$(echo "$R" | jq -r .nonce)
CERT=$(openssl x509 -in old.pem -outform DER | base64 -w0)
R=$(api -d "{\"user\":\"A064878710\",\"certificate\":\"$CERT\",\"signature\":\"$(sign old.key "$NONCE")\",\"algorithm\":\"RS256\"}" "$URL/api/login/finish")
expect '.status == "RENEWAL_REQUIRED"' "$R"

# Step 3.
R=$(api -d '{"email":"rh@prueba4.example","emailConfirmation":"rh@prueba4.example","phone":"5552382700","fax":"21313213212"}' "$URL/api/renewal/data")
expect '.step == 3' "$R"

# Step 4: new key and CSR.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out new.key 2>/dev/null
openssl req -new -key new.key -out new.csr \
    -subj "/C=MX/O=PRUEBA 4/CN=PRUEBA 4 PRUEBA 4 PRUEBA 4/UID=A064878710/serialNumber=AAPR630321HDFLRC09"
openssl req -in new.csr -verify -noout 2>/dev/null
SPKI=$(openssl pkey -in new.key -pubout -outform DER | base64 -w0)
R=$(api -d "$(jq -n --arg s "$SPKI" --rawfile c new.csr '{spki:$s,csr:$c}')" "$URL/api/renewal/key")
expect '.step == 4 and .csrSubjectMatches' "$R"

# Steps 5-7: letter 1 signed with the expired certificate.
api -o carta1.pdf "$URL/api/renewal/acceptance-letter"
openssl cms -sign -binary -in carta1.pdf -signer old.pem -inkey old.key -md sha256 \
    -outform DER -out carta1.p7s
openssl cms -verify -binary -inform DER -in carta1.p7s -content carta1.pdf \
    -CAfile ca.pem -purpose any -no_check_time -out /dev/null 2>/dev/null
R=$(api -d "{\"cms\":\"$(base64 -w0 carta1.p7s)\"}" "$URL/api/renewal/acceptance-letter/signature")
expect '.step == 7' "$R"
LINK=$(api "$URL/api/outbox/$(echo "$R" | jq -r .messageId)" | jq -r .link)
ls "$STATE"/outbox/*.eml >/dev/null

# Steps 8-9: open the link, prove possession of the new key, get the certificate.
R=$(api -d "{\"token\":\"${LINK##*/}\"}" "$URL/api/renewal/link")
R=$(api -d "{\"signature\":\"$(sign new.key "$(echo "$R" | jq -r .nonce)")\",\"algorithm\":\"RS256\"}" "$URL/api/renewal/certificate")
expect '.step == 9' "$R"
echo "$R" | jq -r .certificate >new.pem
openssl verify -CAfile ca.pem new.pem >/dev/null

# Steps 10-11: letter 2 with the SHA-1 of letter 1, signed with the new certificate.
api -o carta2.pdf "$URL/api/renewal/terms-letter"
SHA1=$(sha1sum carta1.pdf | cut -c1-40 | tr a-f A-F)
pdftotext carta2.pdf - | grep -q "$SHA1" || fail "letter 2 lacks the SHA-1 of letter 1"
openssl cms -sign -binary -in carta2.pdf -signer new.pem -inkey new.key -md sha256 \
    -outform DER -out carta2.p7s
openssl cms -verify -binary -inform DER -in carta2.p7s -content carta2.pdf \
    -CAfile ca.pem -purpose any -out /dev/null 2>/dev/null
R=$(api -d "{\"cms\":\"$(base64 -w0 carta2.p7s)\"}" "$URL/api/renewal/terms-letter/signature")
expect '.status == "RENEWED"' "$R"

# Step 12: the new certificate logs in, the old one is refused.
login() { # CERT.pem KEY
    local r
    r=$(api -X POST -d '{}' "$URL/api/login/start")
    SESSION=$(echo "$r" | jq -r .session)
    api -d "{\"user\":\"A064878710\",\"certificate\":\"$(openssl x509 -in "$1" -outform DER | base64 -w0)\",\"signature\":\"$(sign "$2" "$(echo "$r" | jq -r .nonce)")\",\"algorithm\":\"RS256\"}" "$URL/api/login/finish"
}
expect '.status == "LOGGED_IN"' "$(login new.pem new.key)"
expect '.error.code == "CERTIFICATE_REVOKED"' "$(login old.pem old.key)"
echo "walkthrough OK ($URL)"
