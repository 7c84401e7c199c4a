#pragma once

#include <string>

namespace firmante::desktop {

/// Which prompts firmante-agent uses (docs/desktop.md, "Which prompts").
enum class SessionMode { Pinentry, Desktop };

/// Desktop (Firmante's own Qt dialogs) with `--tray`, or when a graphical session is reachable
/// (DISPLAY names an X server whose socket exists, or WAYLAND_DISPLAY a Wayland socket) and
/// FIRMANTE_PINENTRY is not set; pinentry otherwise — headless, over ssh without a forwarded
/// display, or when FIRMANTE_PINENTRY asks for it. `why` says which rule decided (for the log).
/// Reads the environment only; never throws but std::bad_alloc.
SessionMode chooseSessionMode(bool trayRequested, std::string& why);

}  // namespace firmante::desktop
