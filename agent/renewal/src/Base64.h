#pragma once

#include <span>
#include <string>

#include "firmante/pkcs11/Types.h"

namespace firmante::renewal {

/// Standard base64 with padding (the protocol's binary encoding).
std::string base64Encode(std::span<const unsigned char> bytes);
/// Throws pkcs11::Error(InvalidParams) on anything but standard padded base64.
pkcs11::Bytes base64Decode(const std::string& text);
/// `bytes` random bytes as URL-safe base64 without padding (renewal ids, file names).
std::string randomUrlSafeId(std::size_t bytes);

}  // namespace firmante::renewal
