#pragma once

#include <cstddef>
#include <string>

namespace firmante::renewal {

/// Longest label a renewal gives its new key, in bytes: within Cryptoki's and SoftHSM's limits
/// (generateKeyPair refuses more than 255) with room to spare for tokens with shorter ones.
inline constexpr std::size_t kMaxKeyLabel = 128;

/// `label` without the " (renovación …)" suffixes earlier renewals added (every one of them, for
/// labels that piled up before this rule).
std::string labelBase(const std::string& label);

/// "<base> (renovación <date> <first 6 of renewalId>)", at most kMaxKeyLabel bytes. The previous
/// key's suffix is replaced, not extended, and a long base is shortened at a UTF-8 character
/// boundary with "…": the suffix is kept whole, as it is how an interrupted begin finds its key.
std::string renewalKeyLabel(const std::string& previousLabel, const std::string& renewalId,
                            const std::string& date);

}  // namespace firmante::renewal
