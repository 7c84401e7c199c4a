#include "firmante/nm/FrameCodec.h"

#include <cstring>

#include "firmante/nm/FramingError.h"

namespace firmante::nm {

std::string encodeFrameHeader(std::uint32_t length) {
    std::string header(kFrameHeaderSize, '\0');
    std::memcpy(header.data(), &length, kFrameHeaderSize);  // native byte order, by contract
    return header;
}

std::uint32_t decodeFrameHeader(std::string_view header) noexcept {
    std::uint32_t length = 0;
    std::memcpy(&length, header.data(), kFrameHeaderSize);
    return length;
}

std::string encodeFrame(std::string_view json, std::size_t maxOut) {
    if (json.size() > maxOut || json.size() > UINT32_MAX) {
        throw FramingError(FramingReason::TooLarge,
                           "frame of " + std::to_string(json.size()) +
                               " bytes exceeds the limit of " + std::to_string(maxOut) + " bytes",
                           json.size());
    }
    std::string frame = encodeFrameHeader(static_cast<std::uint32_t>(json.size()));
    frame.append(json);
    return frame;
}

}  // namespace firmante::nm
