#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "firmante/nm/CallerInfo.h"

namespace firmante::nm {

/// The Chromium extension id for a public key: the first 32 hex digits of SHA-256 over the
/// DER SubjectPublicKeyInfo (the bytes of the manifest's base64 `"key"`), each digit 0–f
/// written as a letter a–p. Throws `std::runtime_error` if hashing fails.
std::string extensionIdFromPublicKeyDer(std::span<const std::uint8_t> der);

/// True for exactly 32 characters, each in a–p.
bool isValidChromiumExtensionId(std::string_view id) noexcept;

/// True for a plausible Firefox add-on id: 1–255 printable ASCII characters, no whitespace.
bool isValidFirefoxAddonId(std::string_view id) noexcept;

/// Reads the caller from the arguments a browser passes to a native host (`args` excludes
/// argv[0]). Chromium: `chrome-extension://<id>/` (Windows adds `--parent-window=N`, ignored).
/// Firefox: `<manifest path> <add-on id>`. Throws `std::invalid_argument` for anything else.
CallerInfo parseCallerArguments(std::span<const std::string_view> args);

/// Whether `caller` is one of the allowed ids for its browser. An empty list allows nobody.
bool callerAllowed(const CallerInfo& caller, const std::vector<std::string>& chromiumIds,
                   const std::vector<std::string>& firefoxIds) noexcept;

}  // namespace firmante::nm
