#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "firmante/nm/FramingReason.h"

namespace firmante::nm {

/// A framing failure with a stable reason word. Thrown by `encodeFrame`/`writeFrame`, and carried
/// as a value inside `FrameResult` by the readers (which never throw for protocol errors).
class FramingError : public std::runtime_error {
  public:
    FramingError(FramingReason reason, const std::string& message,
                 std::optional<std::uint64_t> declaredLength = std::nullopt)
        : std::runtime_error(message), reason_(reason), declaredLength_(declaredLength) {}

    FramingReason reason() const noexcept { return reason_; }
    /// "TOO_LARGE", "TRUNCATED" or "PARSE_ERROR".
    std::string_view word() const noexcept { return reasonWord(reason_); }
    /// The length the header announced, when the error is about a header.
    std::optional<std::uint64_t> declaredLength() const noexcept { return declaredLength_; }

  private:
    FramingReason reason_;
    std::optional<std::uint64_t> declaredLength_;
};

}  // namespace firmante::nm
