#pragma once

#include <string>
#include <string_view>

namespace firmante::agent {

/// Accepts `local` and serialised web origins: `http(s)://host[:port]`,
/// `chrome-extension://<id>`, `moz-extension://<uuid>`; no path, query, userinfo or whitespace;
/// at most 512 bytes.
bool isValidOrigin(std::string_view origin) noexcept;

/// The site a refusal is remembered for: the registrable domain of a web origin's host (Public
/// Suffix List: `a.evil.example` and `b.evil.example` are `evil.example`, `x.gob.mx` stays
/// `x.gob.mx`), ignoring scheme and port; an IP address or a single-label host as it is; any
/// other origin (extensions, `local`) unchanged. Lower case.
std::string siteOf(std::string_view origin);

/// ASCII lower case (hosts and header values compare case-insensitively; no locale involved).
std::string asciiLower(std::string_view text);

inline constexpr std::string_view kLocalOrigin = "local";

}  // namespace firmante::agent
