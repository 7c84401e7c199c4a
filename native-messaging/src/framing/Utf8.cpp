#include "firmante/nm/Utf8.h"

#include <cstdint>

namespace firmante::nm {

bool utf8Valid(std::string_view bytes) noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const auto* const end = p + bytes.size();
    while (p < end) {
        const std::uint8_t b = *p;
        if (b < 0x80) {
            ++p;
            continue;
        }
        // Ranges of the second byte from RFC 3629 §4: they exclude overlongs (E0, F0),
        // surrogates (ED) and code points above U+10FFFF (F4).
        std::size_t length = 0;
        std::uint8_t lo = 0x80, hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            length = 2;
        } else if (b == 0xE0) {
            length = 3, lo = 0xA0;
        } else if (b == 0xED) {
            length = 3, hi = 0x9F;
        } else if (b >= 0xE1 && b <= 0xEF) {
            length = 3;
        } else if (b == 0xF0) {
            length = 4, lo = 0x90;
        } else if (b >= 0xF1 && b <= 0xF3) {
            length = 4;
        } else if (b == 0xF4) {
            length = 4, hi = 0x8F;
        } else {
            return false;  // continuation byte as a lead, C0/C1 overlongs, F5..FF
        }
        if (static_cast<std::size_t>(end - p) < length) return false;
        if (p[1] < lo || p[1] > hi) return false;
        for (std::size_t i = 2; i < length; ++i) {
            if (p[i] < 0x80 || p[i] > 0xBF) return false;
        }
        p += length;
    }
    return true;
}

}  // namespace firmante::nm
