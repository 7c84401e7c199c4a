#!/bin/bash
# Runs a command against a fresh tpm2-pkcs11 token on a private software TPM, then tears it all
# down. Everything lives in one temporary folder: swtpm's state (loopback TCP), a private D-Bus
# session bus, tpm2-abrmd on that bus (tpm2_ptool needs a resource manager: without it addtoken
# fails with "out of memory for object contexts"), and the tpm2-pkcs11 store.
#
#   with-tpm-token.sh COMMAND [ARG...]
#
# The command sees FIRMANTE_MODULE (the tpm2-pkcs11 module), FIRMANTE_TPM_LABEL, FIRMANTE_TPM_PIN
# (a throw-away user PIN of this test token only), TPM2_PKCS11_STORE, TPM2_PKCS11_TCTI and
# DBUS_SESSION_BUS_ADDRESS. Exit status: the command's; 77 when the TPM packages are missing
# (ctest's SKIP_RETURN_CODE: reported as skipped, never as passed).
set -euo pipefail

need() { command -v "$1" >/dev/null 2>&1 || { echo "with-tpm-token: $1 missing ($2)" >&2; exit 77; }; }
need swtpm swtpm
need tpm2-abrmd tpm2-abrmd
need tpm2_ptool libtpm2-pkcs11-tools
need tpm2_getcap tpm2-tools
need dbus-daemon dbus
module=""
for m in /usr/lib/*/pkcs11/libtpm2_pkcs11.so /usr/lib/*/libtpm2_pkcs11.so.1 /usr/lib/pkcs11/libtpm2_pkcs11.so; do
  [ -e "$m" ] && { module=$m; break; }
done
[ -n "$module" ] || { echo "with-tpm-token: libtpm2_pkcs11 missing (libtpm2-pkcs11-1)" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/firmante-tpm.XXXXXX")
swtpm_pid="" abrmd_pid="" bus_pid=""
cleanup() {
  local rc=$? p f
  if [ "$rc" -ne 0 ]; then
    # What each service said, for the test log (no PIN is in these).
    for f in "$work"/*.log; do [ -s "$f" ] && { echo "--- ${f##*/}" >&2; tail -n 20 "$f" >&2; }; done
  fi
  for p in "$abrmd_pid" "$swtpm_pid" "$bus_pid"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null && { wait "$p" 2>/dev/null || true; }
  done
  rm -rf "$work"
}
trap cleanup EXIT
# A timeout's SIGTERM ends the script through the EXIT trap, so nothing is left running.
trap 'exit 143' TERM INT

# Waits (bounded) until "$@" succeeds: readiness is asked of the service itself, never assumed
# after a fixed delay.
poll() {
  local what=$1 i
  shift
  for i in $(seq 1 400); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.025
  done
  echo "with-tpm-token: $what did not come up" >&2
  return 1
}

# Two adjacent free loopback ports: the swtpm TCTI finds the control port at server port + 1.
# Chosen below the kernel's ephemeral range, where no connect() elsewhere (a WebSocket flood in
# a test running beside this one) can take them between this pick and swtpm's bind; a port in
# that range was taken that way five times running under ctest -j2.
free_ports() {
  python3 -c '
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    port = random.randrange(10000, max(low - 2, 10001))
    a, b = socket.socket(), socket.socket()
    try:
        a.bind(("127.0.0.1", port))
        b.bind(("127.0.0.1", port + 1))
    except OSError:
        continue
    finally:
        a.close(); b.close()
    print(port, port + 1)
    break'
}

# A port taken by another test between the pick and swtpm's bind makes swtpm exit ("Address
# already in use"; seen under ctest -j2): then new ports and another start, a few times.
mkdir -p "$work/state" "$work/store"
for attempt in 1 2 3 4 5; do
  read -r port ctrl < <(free_ports)
  swtpm socket --tpm2 --tpmstate dir="$work/state" \
    --server type=tcp,port="$port",bindaddr=127.0.0.1 \
    --ctrl type=tcp,port="$ctrl",bindaddr=127.0.0.1 \
    --flags not-need-init,startup-clear >"$work/swtpm.log" 2>&1 &
  swtpm_pid=$!
  ready=0
  for i in $(seq 1 400); do
    if tpm2_getcap -T "swtpm:host=127.0.0.1,port=$port" properties-fixed >/dev/null 2>&1; then
      ready=1
      break
    fi
    kill -0 "$swtpm_pid" 2>/dev/null || break
    sleep 0.025
  done
  [ "$ready" = 1 ] && break
  kill "$swtpm_pid" 2>/dev/null || true
  wait "$swtpm_pid" 2>/dev/null || true
  if ! grep -q "Address already in use" "$work/swtpm.log" || [ "$attempt" = 5 ]; then
    echo "with-tpm-token: swtpm did not come up" >&2
    exit 1
  fi
done

dbus-daemon --session --fork --address="unix:path=$work/bus" --print-pid=3 3>"$work/bus.pid" \
  >/dev/null
bus_pid=$(cat "$work/bus.pid")
export DBUS_SESSION_BUS_ADDRESS="unix:path=$work/bus"
tpm2-abrmd --session --allow-root --tcti="swtpm:host=127.0.0.1,port=$port" \
  >"$work/abrmd.log" 2>&1 &
abrmd_pid=$!
export TPM2TOOLS_TCTI="tabrmd:bus_type=session" TPM2_PKCS11_TCTI="tabrmd:bus_type=session"
poll tpm2-abrmd tpm2_getcap properties-fixed

export TPM2_PKCS11_STORE="$work/store" TPM2_PKCS11_LOG_LEVEL=0
export FIRMANTE_TPM_LABEL="${FIRMANTE_TPM_LABEL:-Firmante TPM}"
export FIRMANTE_TPM_PIN="${FIRMANTE_TPM_PIN:-$(od -An -N6 -tu1 /dev/urandom | tr -dc 0-9 | head -c 8)}"
tpm2_ptool init --path "$work/store" >"$work/ptool.log"
tpm2_ptool addtoken --pid=1 --sopin="so-$FIRMANTE_TPM_PIN" --userpin="$FIRMANTE_TPM_PIN" \
  --label="$FIRMANTE_TPM_LABEL" --path "$work/store" >>"$work/ptool.log"
export FIRMANTE_MODULE="$module"
unset SOFTHSM2_CONF

"$@"
