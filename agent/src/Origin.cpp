#include "firmante/agent/Origin.h"

#include <cctype>

namespace firmante::agent {

namespace {

bool hostChar(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '[' || c == ']' || c == ':';
}

}  // namespace

bool isValidOrigin(std::string_view origin) noexcept {
    if (origin == kLocalOrigin) return true;
    if (origin.empty() || origin.size() > 512) return false;
    std::string_view rest;
    bool web = false;
    for (std::string_view scheme : {"https://", "http://"}) {
        if (origin.starts_with(scheme)) {
            rest = origin.substr(scheme.size());
            web = true;
        }
    }
    if (!web) {
        for (std::string_view scheme : {"chrome-extension://", "moz-extension://"}) {
            if (origin.starts_with(scheme)) rest = origin.substr(scheme.size());
        }
        if (rest.empty()) return false;
        for (unsigned char c : rest) {
            if (!(std::isalnum(c) || c == '-')) return false;
        }
        return true;
    }
    // An empty host (`http://:8080`, `http://[]`) names no site: nothing to ask the person about.
    if (rest.empty() || rest.front() == ':' || rest.starts_with("[]")) return false;
    // host[:port] only: a path, query, fragment or userinfo means the page sent a URL, not an
    // origin, and comparing those against the allowlist would be unsound.
    for (unsigned char c : rest) {
        if (!hostChar(c)) return false;
    }
    if (const auto colon = rest.rfind(':');
        colon != std::string_view::npos && rest.front() != '[') {
        const auto port = rest.substr(colon + 1);
        if (port.empty() || port.size() > 5) return false;
        for (unsigned char c : port) {
            if (!std::isdigit(c)) return false;
        }
        if (rest.substr(0, colon).find(':') != std::string_view::npos) return false;
    }
    return true;
}

}  // namespace firmante::agent
