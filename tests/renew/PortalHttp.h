#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace firmante::renew::testing {

/// The test's own view of the portal's JSON API (independent of the CLI's client): one HTTP/1.1
/// request on loopback, the answer's JSON (errors included, as {"error":…}).
nlohmann::json portalRequest(const std::string& url, const std::string& method,
                             const std::string& target, const nlohmann::json& body = nullptr,
                             const std::string& session = {});

}  // namespace firmante::renew::testing
