#!/usr/bin/env bash
# CI check of the Debian package, on this machine, as root:
#   install with apt -> doctor -> keygen, CSR, certificate, signature (checked by openssl) with the
#   installed binaries on a fresh SoftHSM token -> the agent started by systemd-socket-activate
#   answers on the socket -> reinstall (upgrade path) keeps the user's files -> purge stops the
#   agent and leaves nothing the package installed.
#   installer/test-package.sh firmante_<version>_<arch>.deb
set -euo pipefail

DEB=$(realpath "${1:?usage: test-package.sh PACKAGE.deb}")
[ -f "$DEB" ] || { echo "test-package.sh: $DEB is not a file" >&2; exit 2; }
APT=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -y -q)
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so
PIN=123456

WORK=$(mktemp -d /tmp/firmante-package-test.XXXXXX)
AGENT_PID=
INSTALLED=no
cleanup() {
  [ -z "$AGENT_PID" ] || kill "$AGENT_PID" 2>/dev/null || true
  # A failed run must not leave the package on the machine (the next run would refuse to start).
  [ "$INSTALLED" = no ] || "${APT[@]}" purge firmante >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\033[1m--> %s\033[0m\n' "$*"; }
fail() { echo "test-package.sh: FALLA / FAIL: $*" >&2; exit 1; }

if dpkg-query -W -f='${Status}' firmante 2>/dev/null | grep -q "install ok"; then
  fail "firmante is already installed; this check must see the package arrive and leave"
fi

# Which of the package's folders exist before it arrives: those must still exist afterwards,
# every other path it lists must be gone after the purge.
dpkg-deb --contents "$DEB" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^$' |
  while IFS= read -r path; do [ -e "$path" ] && echo "$path"; done >"$WORK/existed-before" || true

step "apt-get install $(basename "$DEB")"
"${APT[@]}" install --no-install-recommends "$DEB" >"$WORK/apt-install.log" 2>&1 ||
  { cat "$WORK/apt-install.log" >&2; fail "apt-get install"; }
INSTALLED=yes
dpkg -L firmante >"$WORK/installed"

step "installed layout"
for f in /usr/bin/firmante /usr/bin/firmante-agent /usr/libexec/firmante/firmante-nmhost; do
  [ -x "$f" ] || fail "$f is missing or not executable"
done
# Firmante's own modules (the letter reader, the windows and tray) are opened by path at run time:
# every /usr path the binaries name must be in the package.
modules=$(strings -n 8 /usr/bin/firmante /usr/bin/firmante-agent |
  grep -o '^/usr/lib/[^ ]*/firmante-[a-z]*\.so$' | sort -u)
[ "$(echo "$modules" | grep -c .)" -ge 2 ] || fail "the binaries name no installed module: $modules"
for f in $modules; do
  grep -qx "$f" "$WORK/installed" || fail "$f is named by a binary but not in the package"
done
for m in /etc/chromium/native-messaging-hosts /etc/opt/chrome/native-messaging-hosts \
         /etc/opt/edge/native-messaging-hosts /etc/opt/brave.com/brave/native-messaging-hosts \
         /usr/lib/mozilla/native-messaging-hosts; do
  host=$(jq -r .path "$m/org.firmante.agent.json") || fail "$m/org.firmante.agent.json unreadable"
  [ "$host" = /usr/libexec/firmante/firmante-nmhost ] || fail "$m names $host"
done
for f in /usr/lib/systemd/user/firmante-agent.socket /usr/lib/systemd/user/firmante-agent.service \
         /usr/share/firmante/extension/chromium/manifest.json \
         /usr/share/firmante/extension/firefox/manifest.json; do
  [ -f "$f" ] || fail "$f is missing"
done
[ -L /etc/systemd/user/sockets.target.wants/firmante-agent.socket ] ||
  fail "firmante-agent.socket is not enabled for users"
man -w firmante >/dev/null && man -w firmante-agent >/dev/null || fail "man pages not found"

# A person's session: private runtime, config and state folders, a fresh SoftHSM token.
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_STATE_HOME="$WORK/home/.state"
export XDG_RUNTIME_DIR="$WORK/run" SOFTHSM2_CONF="$WORK/softhsm2.conf" FIRMANTE_MODULE="$SOFTHSM"
# The shared machine may run other agents on 31780; the port check is covered by ctest.
export FIRMANTE_WS_PORT=0
unset FIRMANTE_SOCKET FIRMANTE_CONFIG FIRMANTE_PINENTRY
mkdir -p "$HOME" "$WORK/tokens" && install -d -m 0700 "$XDG_RUNTIME_DIR"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$WORK/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label "Firmante CI" --so-pin 12345678 --pin "$PIN" >/dev/null

step "firmante doctor"
/usr/bin/firmante doctor || fail "doctor says signing cannot work"
/usr/bin/firmante doctor --json >"$WORK/doctor.json"
[ "$(jq -r .signingCanWork "$WORK/doctor.json")" = true ] || fail "doctor --json: signingCanWork"
# The letter reader is a module the binaries open from the installed library folder.
[ "$(jq -r '.checks[] | select(.id=="pdf-reader") | .status' "$WORK/doctor.json")" = ok ] ||
  fail "doctor: the PDF letter reader (firmante-pdf.so) does not load from the package"
[ "$(jq -r '.checks[] | select(.id=="module") | .details.path' "$WORK/doctor.json")" = "$SOFTHSM" ] ||
  fail "doctor does not name the SoftHSM module"

step "keygen, CSR, certificate, signature with the installed binaries"
cd "$WORK"
key=$(/usr/bin/firmante keygen --type ec-p256 --label ci --json --pin-fd 3 3<<<"$PIN" | jq -r .key.uri)
/usr/bin/firmante csr --key "$key" --subject "/CN=Firmante CI" --out req.pem --pin-fd 3 3<<<"$PIN" >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
  -subj "/CN=Firmante CI CA" -days 2 2>/dev/null
openssl x509 -req -in req.pem -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -out cert.pem 2>/dev/null
/usr/bin/firmante import-cert --in cert.pem --pin-fd 3 3<<<"$PIN" >/dev/null
cert=$(/usr/bin/firmante certs --json | jq -r '.certificates[0].uri')
echo "Carta de prueba / test letter $(date -u +%s)" >letter.txt
/usr/bin/firmante sign --cert "$cert" --in letter.txt --out letter.p7s --pin-fd 3 3<<<"$PIN" >/dev/null
openssl cms -verify -binary -inform DER -in letter.p7s -content letter.txt -CAfile ca.pem \
  -purpose any -out /dev/null 2>"$WORK/verify.log" || { cat "$WORK/verify.log" >&2; fail "openssl cms -verify"; }

step "socket activation: systemd-socket-activate hands the agent its socket"
socket="$XDG_RUNTIME_DIR/firmante/agent.sock"
install -d -m 0700 "$XDG_RUNTIME_DIR/firmante"
systemd-socket-activate -l "$socket" \
  -E HOME -E XDG_CONFIG_HOME -E XDG_STATE_HOME -E XDG_RUNTIME_DIR -E SOFTHSM2_CONF \
  -E FIRMANTE_MODULE -E FIRMANTE_WS_PORT /usr/bin/firmante-agent 2>"$WORK/activate.log" &
AGENT_PID=$!
for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { cat "$WORK/activate.log" >&2; fail "no socket at $socket"; }
inode_before=$(stat -c %i "$socket")
# The first client's connection starts the agent; it must be answered on that same socket.
/usr/bin/firmante tokens --json >"$WORK/tokens.json" || fail "firmante tokens through the agent"
[ "$(jq -r .via "$WORK/tokens.json")" = agent ] || fail "the CLI did not go through the agent"
[ "$(jq -r '.tokens[0].label' "$WORK/tokens.json")" = "Firmante CI" ] || fail "agent's tokens.list"
[ "$(stat -c %i "$socket")" = "$inode_before" ] || fail "the agent bound a socket of its own"
[ "$(readlink "/proc/$AGENT_PID/exe")" = /usr/bin/firmante-agent ] || fail "pid $AGENT_PID is not the agent"
/usr/bin/firmante doctor --json >"$WORK/doctor-agent.json" || true
[ "$(jq -r '.checks[] | select(.id=="agent") | .status' "$WORK/doctor-agent.json")" = ok ] ||
  fail "doctor does not see the socket-activated agent"

step "reinstall (the upgrade path) keeps the person's config and journal"
mkdir -p "$XDG_CONFIG_HOME/firmante" "$XDG_STATE_HOME/firmante/renewals"
echo '{"allowedOrigins": ["https://portal.example"]}' >"$XDG_CONFIG_HOME/firmante/config.json"
echo '{}' >"$XDG_STATE_HOME/firmante/renewals/r1.json"
sums=$(sha256sum "$XDG_CONFIG_HOME/firmante/config.json" "$XDG_STATE_HOME/firmante/renewals/r1.json")
"${APT[@]}" install --reinstall --no-install-recommends "$DEB" >"$WORK/apt-reinstall.log" 2>&1 ||
  { cat "$WORK/apt-reinstall.log" >&2; fail "apt-get install --reinstall"; }
[ "$(sha256sum "$XDG_CONFIG_HOME/firmante/config.json" "$XDG_STATE_HOME/firmante/renewals/r1.json")" = "$sums" ] ||
  fail "the upgrade changed the person's files"

step "apt-get purge stops the agent and leaves nothing behind"
# The agent above is stopped here; purge must stop one running in a session folder too.
kill "$AGENT_PID" 2>/dev/null || true
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
session_run="/run/user/$(id -u)"
created_run=no
[ -d "$session_run" ] || { install -d -m 0700 "$session_run"; created_run=yes; }
if [ -e "$session_run/firmante/agent.sock.lock" ]; then
  echo "test-package.sh: a session agent already runs in $session_run; skipping the stop check" >&2
else
  XDG_RUNTIME_DIR="$session_run" /usr/bin/firmante-agent 2>"$WORK/session-agent.log" &
  AGENT_PID=$!
  for _ in $(seq 100); do [ -S "$session_run/firmante/agent.sock" ] && break; sleep 0.1; done
  [ -S "$session_run/firmante/agent.sock" ] || { cat "$WORK/session-agent.log" >&2; fail "session agent"; }
fi
"${APT[@]}" purge firmante >"$WORK/apt-purge.log" 2>&1 || { cat "$WORK/apt-purge.log" >&2; fail "apt-get purge"; }
if [ -n "$AGENT_PID" ]; then
  # prerm sent SIGTERM: the process must end, and with the status of a clean stop.
  for _ in $(seq 150); do [ "$(ps -o stat= -p "$AGENT_PID" | cut -c1)" = Z ] && break
    kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
  [ "$(ps -o stat= -p "$AGENT_PID" | cut -c1)" = Z ] || ! kill -0 "$AGENT_PID" 2>/dev/null ||
    fail "the agent still runs after the package was removed"
  wait "$AGENT_PID" || fail "the agent did not stop cleanly on removal (status $?)"
  AGENT_PID=
fi
INSTALLED=no
[ "$created_run" = no ] || rm -rf "$session_run"

left=0
while IFS= read -r path; do
  [ -e "$path" ] || [ -L "$path" ] || continue
  grep -qxF "$path" "$WORK/existed-before" && continue
  echo "left after purge: $path" >&2
  left=1
done < <(grep -vxF '/.' "$WORK/installed")
[ ! -e /etc/systemd/user/sockets.target.wants/firmante-agent.socket ] ||
  { echo "left after purge: the socket unit's enablement link" >&2; left=1; }
[ "$left" -eq 0 ] || fail "the purge left files behind"
dpkg-query -W -f='${Status}' firmante 2>/dev/null | grep -q "install ok" && fail "still installed"
step "listo / done"
