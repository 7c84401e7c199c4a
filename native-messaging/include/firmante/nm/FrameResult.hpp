#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "firmante/nm/FramingError.hpp"

namespace firmante::nm {

/// Outcome of reading one frame: a body, a clean end of stream at a frame boundary, or a
/// `FramingError`. A small stand-in for `std::expected`, which GCC 12 does not ship.
class FrameResult {
  public:
    static FrameResult frame(std::string body) { return FrameResult(std::move(body)); }
    static FrameResult endOfStream() { return FrameResult(EndOfStream{}); }
    static FrameResult failure(FramingError error) { return FrameResult(std::move(error)); }

    bool isFrame() const noexcept { return std::holds_alternative<std::string>(state_); }
    bool isEndOfStream() const noexcept { return std::holds_alternative<EndOfStream>(state_); }
    bool isError() const noexcept { return std::holds_alternative<FramingError>(state_); }

    /// The body. Precondition: `isFrame()`.
    const std::string& body() const& { return std::get<std::string>(state_); }
    std::string takeBody() && { return std::move(std::get<std::string>(state_)); }

    /// The error. Precondition: `isError()`.
    const FramingError& error() const { return std::get<FramingError>(state_); }

    /// The body, or throws the carried `FramingError` (TRUNCATED for an end of stream).
    std::string value() && {
        if (isError()) throw error();
        if (isEndOfStream())
            throw FramingError(FramingReason::Truncated,
                               "end of stream where a frame was expected");
        return std::move(std::get<std::string>(state_));
    }

  private:
    struct EndOfStream {};
    template <typename T>
    explicit FrameResult(T&& value) : state_(std::forward<T>(value)) {}

    std::variant<std::string, EndOfStream, FramingError> state_;
};

}  // namespace firmante::nm
