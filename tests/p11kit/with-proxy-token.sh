#!/bin/bash
# Runs a command against a fresh SoftHSM token reached through p11-kit-proxy, as a person whose
# tokens are registered with p11-kit would use Firmante (issue 11):
#
#   with-proxy-token.sh COMMAND [ARGS...]
#
# The token lives in a private folder (SOFTHSM2_CONF), FIRMANTE_MODULE names p11-kit-proxy, and
# the PIN is in $FIRMANTE_TEST_PIN. The proxy loads every module registered with p11-kit; the
# Debian packages register SoftHSM, OpenSC and tpm2-pkcs11. tpm2-pkcs11 is pointed at a private
# store and at a loopback port where no TPM listens, so on every machine it is the module that
# cannot start (with a TPM on the machine, the tests would otherwise depend on it). Exit 77
# (skipped, never passed) when p11-kit-proxy or SoftHSM's p11-kit registration is missing.
set -euo pipefail
proxy=""
for p in /usr/lib/x86_64-linux-gnu/p11-kit-proxy.so /usr/lib/*/p11-kit-proxy.so \
         /usr/lib/p11-kit-proxy.so; do
  [ -e "$p" ] && { proxy=$p; break; }
done
[ -n "$proxy" ] || { echo "SKIP: p11-kit-proxy.so is not installed (p11-kit-modules)" >&2; exit 77; }
grep -qs softhsm /usr/share/p11-kit/modules/*.module ||
  { echo "SKIP: SoftHSM is not registered with p11-kit (softhsm2)" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/firmante-proxy.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/softhsm/tokens" "$work/tpm2-store"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
  "$work/softhsm/tokens" >"$work/softhsm/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm/softhsm2.conf"
export FIRMANTE_TEST_PIN=123456
softhsm2-util --init-token --free --label "Firmante Proxy" --so-pin 12345678 \
  --pin "$FIRMANTE_TEST_PIN" >/dev/null
# A port nothing listens on: bind one, note it, close it.
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export TPM2_PKCS11_STORE="$work/tpm2-store" TPM2_PKCS11_TCTI="swtpm:host=127.0.0.1,port=$closed_port"
export FIRMANTE_MODULE="$proxy" FIRMANTE_PROXY_WORK="$work"
"$@"
