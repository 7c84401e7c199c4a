#include "firmante/desktop/SessionMode.h"

#include <cstdlib>
#include <filesystem>
#include <string_view>

namespace firmante::desktop {

namespace {

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

// Qt aborts the process when its platform cannot connect, so the display is looked at first.
// ":1", ":1.0", "unix:1" are local X servers with a socket in /tmp/.X11-unix; "host:10.0" (ssh
// X forwarding) is a TCP display that cannot be checked this cheaply and is taken as given.
bool xReachable(const std::string& display) {
    if (display.empty()) return false;
    std::string_view d(display);
    if (d.starts_with("unix:")) d.remove_prefix(5);
    if (!d.starts_with(":")) return true;
    d.remove_prefix(1);
    const std::string number(d.substr(0, d.find('.')));
    return std::filesystem::exists("/tmp/.X11-unix/X" + number);
}

bool waylandReachable(const std::string& display) {
    if (display.empty()) return false;
    if (display.front() == '/') return std::filesystem::exists(display);
    const std::string runtime = env("XDG_RUNTIME_DIR");
    return !runtime.empty() && std::filesystem::exists(runtime + "/" + display);
}

}  // namespace

SessionMode chooseSessionMode(bool trayRequested, std::string& why) {
    const bool x = xReachable(env("DISPLAY"));
    const bool wayland = waylandReachable(env("WAYLAND_DISPLAY"));
    if (trayRequested) {
        if (x || wayland) {
            why = "--tray";
            return SessionMode::Desktop;
        }
        why = "--tray, but no reachable display: pinentry";
        return SessionMode::Pinentry;
    }
    if (!env("FIRMANTE_PINENTRY").empty()) {
        why = "FIRMANTE_PINENTRY is set";
        return SessionMode::Pinentry;
    }
    if (x || wayland) {
        why = wayland ? "WAYLAND_DISPLAY" : "DISPLAY";
        return SessionMode::Desktop;
    }
    why = env("SSH_CONNECTION").empty() ? "no graphical session" : "ssh without a display";
    return SessionMode::Pinentry;
}

}  // namespace firmante::desktop
