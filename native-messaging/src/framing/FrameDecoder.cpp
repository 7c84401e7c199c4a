#include "firmante/nm/FrameDecoder.h"

#include <algorithm>
#include <string>

#include "firmante/nm/FrameCodec.h"

namespace firmante::nm {

namespace {
// Growth step for a body in progress: big enough to keep appends amortised, small enough that a
// peer announcing `limit` bytes and then going quiet holds little memory.
constexpr std::size_t kMinBodyGrowth = 64 * 1024;
}  // namespace

FrameDecoder::FrameDecoder(std::size_t limit, OversizePolicy policy, std::size_t oversizePrefix)
    : limit_(limit), policy_(policy), oversizePrefix_(oversizePrefix) {}

void FrameDecoder::feed(std::string_view bytes) {
    while (!bytes.empty() && !stopped_) {
        switch (state_) {
            case State::Header: {
                const std::size_t n = std::min(kFrameHeaderSize - headerFill_, bytes.size());
                std::copy_n(bytes.data(), n, header_.data() + headerFill_);
                headerFill_ += n;
                bytes.remove_prefix(n);
                if (headerFill_ == kFrameHeaderSize) onHeaderComplete();
                break;
            }
            case State::Body: {
                const std::size_t n = std::min<std::size_t>(expected_ - body_.size(), bytes.size());
                appendBody(bytes.substr(0, n));
                bytes.remove_prefix(n);
                if (body_.size() == expected_) {
                    ready_.push_back(FrameResult::frame(std::move(body_)));
                    body_ = std::string();
                    state_ = State::Header;
                }
                break;
            }
            case State::Skip:
                skip(bytes);
                break;
        }
    }
}

void FrameDecoder::onHeaderComplete() {
    headerFill_ = 0;
    expected_ = decodeFrameHeader(std::string_view(header_.data(), header_.size()));
    if (expected_ > limit_) {
        FramingError error(FramingReason::TooLarge,
                           "frame of " + std::to_string(expected_) +
                               " bytes exceeds the limit of " + std::to_string(limit_) + " bytes",
                           expected_);
        if (policy_ == OversizePolicy::Stop) {
            ready_.push_back(FrameResult::failure(std::move(error)));
            stopped_ = true;
            return;
        }
        skipLeft_ = expected_;
        state_ = State::Skip;
        if (oversizePrefix_ == 0) {
            ready_.push_back(FrameResult::failure(std::move(error)));
        } else {
            oversized_ = std::move(error);
            body_.clear();
            body_.reserve(std::min<std::size_t>(oversizePrefix_, expected_));
        }
        return;
    }
    if (expected_ == 0) {
        ready_.push_back(FrameResult::frame(std::string()));
        return;
    }
    state_ = State::Body;
}

void FrameDecoder::appendBody(std::string_view bytes) {
    const std::size_t needed = body_.size() + bytes.size();
    if (needed > body_.capacity()) {
        // Grow geometrically but never past the announced length: capacity stays <= limit.
        const std::size_t grown = std::max({needed, body_.capacity() * 2, kMinBodyGrowth});
        body_.reserve(std::min<std::size_t>(grown, expected_));
    }
    body_.append(bytes);
}

void FrameDecoder::skip(std::string_view& bytes) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(skipLeft_, bytes.size()));
    if (oversized_) {
        // Keep the first bytes of the refused body; the rest goes unread into the void.
        const std::size_t keep = std::min(n, oversizePrefix_ - body_.size());
        body_.append(bytes.substr(0, keep));
        if (body_.size() == oversizePrefix_ || skipLeft_ == n) {
            ready_.push_back(FrameResult::failure(std::move(*oversized_), std::move(body_)));
            oversized_.reset();
            body_ = std::string();
        }
    }
    skipLeft_ -= n;
    bytes.remove_prefix(n);
    if (skipLeft_ == 0) state_ = State::Header;
}

std::optional<FrameResult> FrameDecoder::next() {
    if (ready_.empty()) return std::nullopt;
    FrameResult result = std::move(ready_.front());
    ready_.pop_front();
    return result;
}

std::optional<FramingError> FrameDecoder::finish() const {
    if (stopped_) return std::nullopt;  // already reported as TOO_LARGE
    switch (state_) {
        case State::Header:
            if (headerFill_ == 0) return std::nullopt;
            return FramingError(
                FramingReason::Truncated,
                "stream ended after " + std::to_string(headerFill_) + " of 4 header bytes");
        case State::Body:
            return FramingError(FramingReason::Truncated,
                                "stream ended after " + std::to_string(body_.size()) + " of " +
                                    std::to_string(expected_) + " body bytes",
                                expected_);
        case State::Skip:
            return FramingError(FramingReason::Truncated,
                                "stream ended inside an oversized body being skipped");
    }
    return std::nullopt;
}

}  // namespace firmante::nm
