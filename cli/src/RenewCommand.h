#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace firmante::cli {

/// The closing line of `firmante renew` (the steps themselves are printed as they happen).
std::string renderRenewSummary(const nlohmann::json& result);

}  // namespace firmante::cli
