#pragma once

#include <string_view>

namespace firmante::nm {

/// The browser family that started the host; it decides the argument format and the manifest.
enum class Browser { Chromium, Firefox };

/// "chromium" or "firefox", the words the hello's `browser` member uses.
constexpr std::string_view browserName(Browser browser) noexcept {
    return browser == Browser::Chromium ? "chromium" : "firefox";
}

}  // namespace firmante::nm
