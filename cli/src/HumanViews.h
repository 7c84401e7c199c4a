#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace firmante::cli {

/// The human-readable (localised) view of a verb's --json document.
std::string renderHuman(const std::string& verb, const nlohmann::json& result);

}  // namespace firmante::cli
