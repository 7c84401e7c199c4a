#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace firmante::pkcs11 {

/// An RFC 7512 PKCS#11 URI, for tokens (`pkcs11:token=Demo;serial=…`), keys
/// (`pkcs11:token=Demo;id=%01%02;type=private`) and certificates (`…;type=cert`).
/// Only the path attributes Firmante uses are kept; query attributes (`?pin-value=…`) are refused
/// on purpose, so that a PIN can never arrive inside a URI.
struct Uri {
    std::optional<std::string> token;  // CKA token label
    std::optional<std::string> manufacturer;
    std::optional<std::string> model;
    std::optional<std::string> serial;
    std::optional<std::string> object;             // CKA_LABEL
    std::optional<std::vector<unsigned char>> id;  // CKA_ID
    std::optional<std::string> type;               // "private", "public", "cert"

    /// Parses `pkcs11:...`. Throws Error(InvalidParams) on a malformed URI, an unknown path
    /// attribute, a query part, or a length above 4 KiB.
    static Uri parse(std::string_view text);

    /// The canonical text, attributes in a fixed order, values percent-encoded where RFC 7512 asks;
    /// `id` is always fully percent-encoded (`%01%ab`).
    std::string str() const;

    /// True when every token attribute this URI sets equals the given token's.
    bool matchesToken(std::string_view label, std::string_view manufacturer, std::string_view model,
                      std::string_view serial) const;

    bool operator==(const Uri&) const = default;
};

/// True when `text` looks like a PKCS#11 URI (starts with "pkcs11:").
bool isPkcs11Uri(std::string_view text) noexcept;

}  // namespace firmante::pkcs11
