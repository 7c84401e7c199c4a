#pragma once

namespace firmante::nm {

/// What a `FrameDecoder` does after reporting a frame whose declared length is above its limit.
enum class OversizePolicy {
    /// Stop decoding: the error is the last result and later input is ignored. For peers that
    /// cannot be trusted to send the announced body (the relay answers and closes).
    Stop,
    /// Discard the announced body as it arrives, without buffering it, and carry on with the
    /// next frame. For peers that keep talking after an oversized message.
    Skip,
};

}  // namespace firmante::nm
