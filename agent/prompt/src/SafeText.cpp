#include "firmante/prompt/SafeText.h"

#include <cstdint>
#include <vector>

namespace firmante::prompt {

namespace {

// Characters a person cannot see, or that reorder or break the lines around them.
bool hidden(std::uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x61C ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

// Length of the valid UTF-8 sequence at the start of `s` (and its code point), or 0.
std::size_t decodeOne(std::string_view s, std::uint32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    std::size_t n;
    std::uint32_t min;
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    } else if ((b0 & 0xE0) == 0xC0) {
        n = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (s.size() < n) return 0;
    for (std::size_t i = 1; i < n; ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    // Overlong forms, surrogates and values past Unicode are not text.
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

// One piece of the output that is never split: a character, or the escape of one.
struct Unit {
    std::string text;
    std::size_t chars;
};

void escapeBytes(std::string_view bytes, std::string& out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char b : bytes) {
        out += '\\';
        out += kHex[b >> 4];
        out += kHex[b & 0x0F];
    }
}

std::vector<Unit> units(std::string_view text) {
    std::vector<Unit> out;
    while (!text.empty()) {
        std::uint32_t cp = 0;
        const std::size_t n = decodeOne(text, cp);
        Unit unit;
        if (n == 0) {
            escapeBytes(text.substr(0, 1), unit.text);
            unit.chars = 3;
            text.remove_prefix(1);
        } else if (hidden(cp)) {
            escapeBytes(text.substr(0, n), unit.text);
            unit.chars = 3 * n;
            text.remove_prefix(n);
        } else {
            unit.text = std::string(text.substr(0, n));
            unit.chars = 1;
            text.remove_prefix(n);
        }
        out.push_back(std::move(unit));
    }
    return out;
}

}  // namespace

std::string safeText(std::string_view text, std::size_t maxChars, Shorten where) {
    const std::vector<Unit> all = units(text);
    std::size_t total = 0;
    for (const auto& u : all) total += u.chars;
    std::string out;
    if (total <= maxChars) {
        for (const auto& u : all) out += u.text;
        return out;
    }
    if (maxChars == 0) return out;
    // One character goes to the ellipsis; Middle keeps a third of the rest for the end.
    const std::size_t budget = maxChars - 1;
    const std::size_t tailBudget = where == Shorten::Middle ? budget / 3 : 0;
    std::size_t tailStart = all.size();
    for (std::size_t used = 0; tailStart > 0 && used + all[tailStart - 1].chars <= tailBudget;) {
        used += all[--tailStart].chars;
    }
    std::size_t tailChars = 0;
    for (std::size_t i = tailStart; i < all.size(); ++i) tailChars += all[i].chars;
    std::size_t used = 0;
    for (std::size_t i = 0; i < tailStart && used + all[i].chars + tailChars <= budget; ++i) {
        out += all[i].text;
        used += all[i].chars;
    }
    out += "…";
    for (std::size_t i = tailStart; i < all.size(); ++i) out += all[i].text;
    return out;
}

}  // namespace firmante::prompt
