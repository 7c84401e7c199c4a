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

if [ -x "$PORTAL" ]; then
  step 4 "El portal de referencia emite el certificado del patrón, ya caducado / the reference portal issues the employer's certificate, already expired"
  "$PORTAL" issue --state-dir "$DEMO/portal" --csr "$DEMO/patron.csr" --expired --out "$DEMO/patron-caducado.pem"
  CA_ARGS=(--ca "$DEMO/portal-ca.pem")
  "$PORTAL" ca-cert --state-dir "$DEMO/portal" >"$DEMO/portal-ca.pem"
else
  step 4 "Certificado de prueba emitido con openssl (el portal aún no está compilado) / test certificate issued with openssl"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$DEMO/ca.key" -out "$DEMO/portal-ca.pem" -subj "/CN=Demo CA" -days 30 2>/dev/null
  openssl x509 -req -in "$DEMO/patron.csr" -CA "$DEMO/portal-ca.pem" -CAkey "$DEMO/ca.key" -CAcreateserial -days 30 -out "$DEMO/patron-caducado.pem" 2>/dev/null
  CA_ARGS=(--ca "$DEMO/portal-ca.pem")
fi
with_pin "$FIRMANTE" import-cert --token "$LABEL" --in "$DEMO/patron-caducado.pem"
with_pin "$FIRMANTE" certs --token "$LABEL"
CERT_URI=$(with_pin "$FIRMANTE" certs --token "$LABEL" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["certificates"][0]["uri"])')

step 5 "Carta firmada en el token con el certificado caducado, como pide el paso 5 del manual / letter signed on the token with the expired certificate, as step 5 of the manual asks"
printf 'Carta de Aceptación de Renovación de Certificado Digital\nUsuario: A064878710\n' >"$DEMO/carta.txt"
with_pin "$FIRMANTE" sign --token "$LABEL" --cert "$CERT_URI" --allow-expired --in "$DEMO/carta.txt" --out "$DEMO/carta.txt.p7s"

step 6 "Firma verificada / signature verified (firmante verify y openssl cms -verify)"
"$FIRMANTE" verify --in "$DEMO/carta.txt" --sig "$DEMO/carta.txt.p7s" "${CA_ARGS[@]}" --ignore-expiry
openssl cms -verify -binary -inform DER -in "$DEMO/carta.txt.p7s" -content "$DEMO/carta.txt" \
  -CAfile "$DEMO/portal-ca.pem" -purpose any -no_check_time -out /dev/null

printf '\nListo / done. Archivos en / files in: %s\n' "$DEMO"
