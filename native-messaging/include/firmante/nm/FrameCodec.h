#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "firmante/nm/Limits.h"

namespace firmante::nm {

/// The 4-byte native-endian length prefix for a body of `length` bytes.
std::string encodeFrameHeader(std::uint32_t length);

/// Reads a 4-byte native-endian length prefix. Precondition: `header.size() >= 4`.
std::uint32_t decodeFrameHeader(std::string_view header) noexcept;

/// Header + `json`, ready to write. Throws `FramingError` (TOO_LARGE) when `json` is longer
/// than `maxOut` — use `kMaxHostToBrowserFrame` for anything going to a browser.
std::string encodeFrame(std::string_view json, std::size_t maxOut = kDefaultFrameLimit);

}  // namespace firmante::nm
