#pragma once
// Transport-neutral HTTP request/response so the portal logic can be driven
// in-process by tests and over loopback by the Beast server alike.

#include <string>
#include <utility>
#include <vector>

namespace firmante::portal {

struct PortalRequest {
    std::string method;   ///< "GET", "POST", …
    std::string target;   ///< path and optional query, e.g. "/api/session?x=1"
    std::string host;     ///< the Host header (the origin a browser sees is "http://" + host)
    std::string origin;   ///< the Origin header, "" when absent
    std::string session;  ///< the X-IDSE-Session header, "" when absent
    std::string cookie;   ///< the Cookie header, "" when absent
    std::string body;
};

struct PortalResponse {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace firmante::portal
