#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace firmante::agent {

/// Turns one frame body into a JSON value, refusing hostile text cheaply *before* the parser
/// runs: invalid UTF-8 → PARSE_ERROR, bracket nesting deeper than `maxDepth` → TOO_LARGE (one
/// linear pre-scan, so 10,000 '[' never reach a recursive destructor). Malformed JSON →
/// PARSE_ERROR. Throws RpcError.
nlohmann::json parseRequestText(std::string_view text, std::size_t maxDepth);

/// The deepest bracket nesting outside strings, stopping as soon as it exceeds `limit`.
std::size_t jsonNestingDepth(std::string_view text, std::size_t limit) noexcept;

/// True when any object key anywhere under `value` names a PIN or password (DESIGN §3 rule 2:
/// no protocol method accepts one).
bool containsSecretMember(const nlohmann::json& value) noexcept;

}  // namespace firmante::agent
