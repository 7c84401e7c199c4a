#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace firmante::pkcs11 {

/// Standard base64 with padding (RFC 4648 §4), the encoding of every binary value on the wire.
std::string base64Encode(std::span<const unsigned char> bytes);

/// Strict decoding: standard alphabet, padding required, no whitespace. nullopt when malformed.
std::optional<std::vector<unsigned char>> base64Decode(std::string_view text);

/// The decoded size of a well-formed base64 text of this length (an upper bound otherwise),
/// so limits can be checked before anything is allocated.
std::size_t base64DecodedSize(std::string_view text) noexcept;

}  // namespace firmante::pkcs11
