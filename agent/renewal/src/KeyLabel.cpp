#include "KeyLabel.h"

#include <string_view>

namespace firmante::renewal {

namespace {
constexpr std::string_view kSuffixStart = " (renovación ";
constexpr std::string_view kEllipsis = "…";

std::string trimRight(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    return s;
}
}  // namespace

std::string labelBase(const std::string& label) {
    std::string base = trimRight(label);
    for (;;) {
        const auto at = base.rfind(kSuffixStart);
        if (at == std::string::npos || base.empty() || base.back() != ')') return base;
        base = trimRight(base.substr(0, at));
    }
}

std::string renewalKeyLabel(const std::string& previousLabel, const std::string& renewalId,
                            const std::string& date) {
    std::string base = labelBase(previousLabel);
    if (base.empty()) base = "Firmante";
    const std::string suffix =
        std::string(kSuffixStart) + date + " " + renewalId.substr(0, 6) + ")";
    if (base.size() + suffix.size() <= kMaxKeyLabel) return base + suffix;
    std::size_t keep = kMaxKeyLabel - suffix.size() - kEllipsis.size();
    // Never cut a UTF-8 sequence in half: back up to the start of a character.
    while (keep > 0 && (static_cast<unsigned char>(base[keep]) & 0xC0) == 0x80) --keep;
    return trimRight(base.substr(0, keep)) + std::string(kEllipsis) + suffix;
}

}  // namespace firmante::renewal
