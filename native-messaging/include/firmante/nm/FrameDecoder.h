#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "firmante/nm/FrameResult.h"
#include "firmante/nm/FramingError.h"
#include "firmante/nm/Limits.h"
#include "firmante/nm/OversizePolicy.h"

namespace firmante::nm {

/// Incremental decoder for length-prefixed frames (4-byte native-endian length, then the body).
///
/// Feed it byte chunks of any size as they arrive from a socket or pipe; take complete frames
/// with `next()`. A chunk may hold several frames, and a frame may be split over many chunks.
/// The length is checked against the limit as soon as the 4 header bytes are in, before any
/// memory is reserved for the body, so a peer announcing 0xFFFFFFFF costs nothing. The decoder
/// never holds more than one partial body (at most `limit` bytes) plus undelivered frames.
///
/// The decoder does not look inside bodies: an empty frame (length 0) is delivered as an empty
/// string, and JSON / UTF-8 validity is for the caller to check (see `utf8Valid`).
class FrameDecoder {
  public:
    /// With `OversizePolicy::Skip`, `oversizePrefix` > 0 keeps that many leading bytes of each
    /// oversized body (see `FrameResult::oversizedPrefix`) and discards the rest; the TOO_LARGE
    /// result is then delivered once those bytes are in.
    explicit FrameDecoder(std::size_t limit = kDefaultFrameLimit,
                          OversizePolicy policy = OversizePolicy::Stop,
                          std::size_t oversizePrefix = 0);

    /// Consumes `bytes`. Never throws for bad input: errors are queued for `next()`.
    /// After a TOO_LARGE frame under `OversizePolicy::Stop`, input is ignored.
    void feed(std::string_view bytes);
    void feed(const void* data, std::size_t size) {
        feed(std::string_view(static_cast<const char*>(data), size));
    }

    /// The next complete frame, or a TOO_LARGE error (its `declaredLength()` set), in stream
    /// order; `std::nullopt` when more input is needed.
    std::optional<FrameResult> next();

    /// To call when the stream has ended: a TRUNCATED error if it ended inside a header or a
    /// body (or inside a skipped body), `std::nullopt` at a frame boundary.
    std::optional<FramingError> finish() const;

    /// True once a TOO_LARGE frame stopped the decoder (`OversizePolicy::Stop`).
    bool stopped() const noexcept { return stopped_; }
    /// True when no partial header or body is pending.
    bool atFrameBoundary() const noexcept { return state_ == State::Header && headerFill_ == 0; }
    std::size_t limit() const noexcept { return limit_; }
    /// Bytes held for the frame in progress (header or body); what a peer costs us right now.
    std::size_t pendingBytes() const noexcept { return headerFill_ + body_.size(); }

  private:
    enum class State { Header, Body, Skip };

    void onHeaderComplete();
    void appendBody(std::string_view bytes);
    void skip(std::string_view& bytes);

    std::size_t limit_;
    OversizePolicy policy_;
    std::size_t oversizePrefix_;
    State state_ = State::Header;
    std::array<char, kFrameHeaderSize> header_{};
    std::size_t headerFill_ = 0;
    std::uint32_t expected_ = 0;             // body length announced by the current header
    std::uint64_t skipLeft_ = 0;             // bytes of an oversized body still to discard
    std::optional<FramingError> oversized_;  // TOO_LARGE waiting for its prefix to be collected
    std::string body_;
    std::deque<FrameResult> ready_;
    bool stopped_ = false;
};

}  // namespace firmante::nm
