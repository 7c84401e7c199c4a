#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "firmante/nm/FramingError.h"

namespace firmante::nm {

/// Outcome of reading one frame: a body, a clean end of stream at a frame boundary, or a
/// `FramingError`. A small stand-in for `std::expected`, which GCC 12 does not ship.
class FrameResult {
  public:
    static FrameResult frame(std::string body) { return FrameResult(std::move(body)); }
    static FrameResult endOfStream() { return FrameResult(EndOfStream{}); }
    static FrameResult failure(FramingError error, std::string oversizedPrefix = {}) {
        FrameResult result(std::move(error));
        result.prefix_ = std::move(oversizedPrefix);
        return result;
    }

    bool isFrame() const noexcept { return std::holds_alternative<std::string>(state_); }
    bool isEndOfStream() const noexcept { return std::holds_alternative<EndOfStream>(state_); }
    bool isError() const noexcept { return std::holds_alternative<FramingError>(state_); }

    /// The body. Precondition: `isFrame()`.
    const std::string& body() const& { return std::get<std::string>(state_); }
    std::string takeBody() && { return std::move(std::get<std::string>(state_)); }

    /// The error. Precondition: `isError()`.
    const FramingError& error() const { return std::get<FramingError>(state_); }

    /// For a TOO_LARGE error from a decoder built with an oversize prefix: the first bytes of
    /// the refused body (enough to find its JSON-RPC id cheaply); empty otherwise.
    const std::string& oversizedPrefix() const noexcept { return prefix_; }

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
    std::string prefix_;
};

}  // namespace firmante::nm
