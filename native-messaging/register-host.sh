#!/bin/sh
# Registers (or removes) the firmante-nmhost native messaging host manifest
# "org.firmante.agent.json" for Chrome, Chromium, Edge, Brave and Firefox.
#
#   register-host.sh [--system] [--path HOST_BINARY] [--extension-id ID]
#                    [--firefox-addon-id ID] [--destdir DIR] [--unregister]
#
# Per user (default): ${XDG_CONFIG_HOME:-$HOME/.config}/{google-chrome,chromium,microsoft-edge,
# BraveSoftware/Brave-Browser}/NativeMessagingHosts and $HOME/.mozilla/native-messaging-hosts.
# --system: the browsers' system-wide folders under /etc and /usr/lib (run as root);
# --destdir prefixes them, for packaging into a staging tree.
#
# Values come from the flags, else the environment (FIRMANTE_NMHOST, FIRMANTE_EXTENSION_ID,
# FIRMANTE_FIREFOX_ADDON_ID), else register-host.conf next to this script (written by CMake in
# the build tree and on install), else firmante-nmhost next to this script or on PATH.
set -eu

HOST_NAME=org.firmante.agent
SCRIPT_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

die() { echo "register-host.sh: $*" >&2; exit 2; }

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
}

system=0
unregister=0
destdir=
opt_path=
opt_extension_id=
opt_firefox_id=
while [ $# -gt 0 ]; do
    case "$1" in
        --system) system=1 ;;
        --unregister) unregister=1 ;;
        --path) [ $# -ge 2 ] || die "--path needs a value"; opt_path=$2; shift ;;
        --path=*) opt_path=${1#--path=} ;;
        --extension-id) [ $# -ge 2 ] || die "--extension-id needs a value"; opt_extension_id=$2; shift ;;
        --extension-id=*) opt_extension_id=${1#--extension-id=} ;;
        --firefox-addon-id) [ $# -ge 2 ] || die "--firefox-addon-id needs a value"; opt_firefox_id=$2; shift ;;
        --firefox-addon-id=*) opt_firefox_id=${1#--firefox-addon-id=} ;;
        --destdir) [ $# -ge 2 ] || die "--destdir needs a value"; destdir=$2; shift ;;
        --destdir=*) destdir=${1#--destdir=} ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done

if [ "$system" -eq 1 ]; then
    chromium_dirs="/etc/opt/chrome/native-messaging-hosts
/etc/chromium/native-messaging-hosts
/etc/opt/edge/native-messaging-hosts
/etc/opt/brave.com/brave/native-messaging-hosts
/etc/brave/native-messaging-hosts"
    firefox_dirs="/usr/lib/mozilla/native-messaging-hosts"
else
    [ -n "${HOME:-}" ] || die "HOME is not set"
    config=${XDG_CONFIG_HOME:-}
    case "$config" in /*) ;; *) config="$HOME/.config" ;; esac
    chromium_dirs="$config/google-chrome/NativeMessagingHosts
$config/chromium/NativeMessagingHosts
$config/microsoft-edge/NativeMessagingHosts
$config/BraveSoftware/Brave-Browser/NativeMessagingHosts"
    firefox_dirs="$HOME/.mozilla/native-messaging-hosts"
fi

if [ "$unregister" -eq 1 ]; then
    printf '%s\n%s\n' "$chromium_dirs" "$firefox_dirs" | while IFS= read -r dir; do
        target="$destdir$dir/$HOST_NAME.json"
        if [ -e "$target" ]; then
            rm -f -- "$target"
            echo "removed $target"
        fi
    done
    exit 0
fi

# Defaults from CMake, without overriding what the environment already says.
if [ -f "$SCRIPT_DIR/register-host.conf" ]; then
    # shellcheck source=/dev/null
    . "$SCRIPT_DIR/register-host.conf"
fi

host=${opt_path:-${FIRMANTE_NMHOST:-}}
if [ -z "$host" ]; then
    if [ -x "$SCRIPT_DIR/firmante-nmhost" ]; then
        host="$SCRIPT_DIR/firmante-nmhost"
    else
        host=$(command -v firmante-nmhost 2>/dev/null) || die "firmante-nmhost not found: pass --path"
    fi
fi
case "$host" in
    /*) ;;
    *)
        host_dir=$(CDPATH='' cd -- "$(dirname -- "$host")" 2>/dev/null && pwd) ||
            die "cannot resolve the folder of $host"
        host="$host_dir/$(basename -- "$host")"
        ;;
esac
# The path goes into JSON verbatim: refuse what would need escaping.
# shellcheck disable=SC1003
case "$host" in *'"'*|*'\'*) die "host path must not contain quotes or backslashes: $host" ;; esac
[ -x "$host" ] || echo "register-host.sh: warning: $host is not an executable file (yet)" >&2

extension_id=${opt_extension_id:-${FIRMANTE_EXTENSION_ID:-}}
firefox_id=${opt_firefox_id:-${FIRMANTE_FIREFOX_ADDON_ID:-firmante@firmante.org}}
[ -n "$extension_id" ] || die "no Chromium extension id: pass --extension-id (32 letters a-p) or configure FIRMANTE_EXTENSION_ID"
printf '%s' "$extension_id" | grep -Eq '^[a-p]{32}$' || die "invalid extension id: $extension_id"
printf '%s' "$firefox_id" | grep -Eq '^[A-Za-z0-9@._{}+-]{1,255}$' || die "invalid Firefox add-on id: $firefox_id"

templates="$SCRIPT_DIR/manifests"
if [ ! -f "$templates/chromium.json.in" ] || [ ! -f "$templates/firefox.json.in" ]; then
    die "manifest templates not found in $templates"
fi

# Replaces the @VAR@ placeholders literally (no regex or '&' surprises in paths).
render() {
    FNM_PATH=$host FNM_EXT=$extension_id FNM_FF=$firefox_id awk '
        function subst(line, key, value,    out, i) {
            out = ""
            while ((i = index(line, key)) > 0) {
                out = out substr(line, 1, i - 1) value
                line = substr(line, i + length(key))
            }
            return out line
        }
        {
            line = subst($0, "@FIRMANTE_NMHOST_PATH@", ENVIRON["FNM_PATH"])
            line = subst(line, "@FIRMANTE_EXTENSION_ID@", ENVIRON["FNM_EXT"])
            line = subst(line, "@FIRMANTE_FIREFOX_ADDON_ID@", ENVIRON["FNM_FF"])
            print line
        }' "$1"
}

install_manifest() {  # template, directory
    dir="$destdir$2"
    mkdir -p -- "$dir"
    tmp=$(mktemp "$dir/.$HOST_NAME.XXXXXX")
    render "$1" > "$tmp"
    chmod 0644 "$tmp"
    mv -f -- "$tmp" "$dir/$HOST_NAME.json"
    echo "wrote $dir/$HOST_NAME.json"
}

printf '%s\n' "$chromium_dirs" | while IFS= read -r dir; do
    install_manifest "$templates/chromium.json.in" "$dir"
done
printf '%s\n' "$firefox_dirs" | while IFS= read -r dir; do
    install_manifest "$templates/firefox.json.in" "$dir"
done
