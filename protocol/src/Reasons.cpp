#include "firmante/protocol/Reasons.h"

#include <array>

namespace firmante::protocol {

namespace {

constexpr ReasonInfo kTable[] = {
#include "firmante/protocol/ReasonTable.inc"
};

// The rows are generated in the enum's order, so a reason indexes its row.
constexpr bool rowsFollowTheEnum() {
    for (std::size_t i = 0; i < std::size(kTable); ++i)
        if (static_cast<std::size_t>(kTable[i].reason) != i) return false;
    return true;
}
static_assert(rowsFollowTheEnum());

}  // namespace

std::span<const ReasonInfo> reasonTable() noexcept {
    return kTable;
}

const ReasonInfo& reasonInfo(Reason reason) noexcept {
    return kTable[static_cast<std::size_t>(reason)];
}

const ReasonInfo* findReason(std::string_view word) noexcept {
    for (const auto& row : kTable)
        if (row.word == word) return &row;
    return nullptr;
}

const ReasonInfo& reasonInfoOrInternal(std::string_view word) noexcept {
    const auto* row = findReason(word);
    return row ? *row : reasonInfo(Reason::Internal);
}

}  // namespace firmante::protocol
