#pragma once
// Byte encodings and digests shared by the portal and its tests.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace firmante::portal {

using Bytes = std::vector<unsigned char>;

/// Standard base64 with padding, no line breaks.
std::string base64Encode(const Bytes& data);
/// Strict standard base64 (padding required, whitespace not allowed); nullopt when malformed.
std::optional<Bytes> base64Decode(std::string_view text);

/// Lower-case hex pairs separated by `separator` ("" for none).
std::string hexEncode(const Bytes& data, std::string_view separator = "");
/// Upper-case hex, no separators (the letter's "Cadena de Identificación").
std::string hexUpper(const Bytes& data);

Bytes sha256(const void* data, size_t size);
inline Bytes sha256(std::string_view s) {
    return sha256(s.data(), s.size());
}
inline Bytes sha256(const Bytes& b) {
    return sha256(b.data(), b.size());
}
Bytes sha1(const Bytes& data);

/// `count` bytes from the CSPRNG (throws std::runtime_error on failure).
Bytes randomBytes(size_t count);
/// A random URL-safe token (hex of `bytes` random bytes).
std::string randomToken(size_t bytes = 32);

/// Collapses every run of whitespace to one space and trims both ends
/// (how a letter's wrapped hex is compared, per the conventions).
std::string collapseWhitespace(std::string_view text);

}  // namespace firmante::portal
