#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "firmante/nm/FrameResult.h"
#include "firmante/nm/Limits.h"

namespace firmante::nm {

/// Blocking read of one frame from `fd` (pipe, socket or file), retrying on EINTR.
///
/// Returns the frame; `endOfStream()` when the stream ends cleanly before a header; or an error:
/// TRUNCATED (the stream ended inside the header or the body), TOO_LARGE (announced length above
/// `limit`; the header has been consumed and the body has not — call `discardBytes` with
/// `error().declaredLength()` to resynchronise, or close). The body buffer grows as bytes
/// arrive, so a peer that announces `limit` bytes and sends fewer does not cost `limit`.
/// Throws `std::system_error` for an I/O error (EBADF, EIO, ECONNRESET…).
FrameResult readFrame(int fd, std::size_t limit = kDefaultFrameLimit);

/// Blocking write of header + `json` to `fd`, looping over partial writes and EINTR.
/// Throws `FramingError` (TOO_LARGE, nothing written) when `json` is longer than `maxOut`, and
/// `std::system_error` on an I/O error (EPIPE included: ignore SIGPIPE in the process).
void writeFrame(int fd, std::string_view json, std::size_t maxOut = kDefaultFrameLimit);

/// Reads and drops `count` bytes without storing them. Returns false if the stream ended first.
/// Throws `std::system_error` on an I/O error.
bool discardBytes(int fd, std::uint64_t count);

}  // namespace firmante::nm
