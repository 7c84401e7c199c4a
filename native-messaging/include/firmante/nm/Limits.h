#pragma once

#include <cstddef>

namespace firmante::nm {

/// Largest frame a reader accepts by default (browser → host, client → agent).
/// Chromium allows 64 MiB from the extension, but no Firmante request needs more than a
/// document of a few MiB, and the limit is what bounds the memory a peer can make us allocate.
inline constexpr std::size_t kDefaultFrameLimit = 16u * 1024u * 1024u;

/// Largest frame the browser accepts from a native host (Chromium and Firefox both close the
/// port on a bigger one), so nothing larger may ever be written to the browser.
inline constexpr std::size_t kMaxHostToBrowserFrame = 1024u * 1024u;

/// Size of the length prefix: a 4-byte unsigned integer in the machine's native byte order.
inline constexpr std::size_t kFrameHeaderSize = 4;

}  // namespace firmante::nm
