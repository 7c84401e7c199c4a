#pragma once

#include <string_view>

namespace firmante::agent {

/// Accepts `local` and serialised web origins: `http(s)://host[:port]`,
/// `chrome-extension://<id>`, `moz-extension://<uuid>`; no path, query, userinfo or whitespace;
/// at most 512 bytes.
bool isValidOrigin(std::string_view origin) noexcept;

inline constexpr std::string_view kLocalOrigin = "local";

}  // namespace firmante::agent
