#include "firmante/agent/RequestParser.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "firmante/agent/RpcError.h"
#include "firmante/nm/Utf8.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

std::size_t jsonNestingDepth(std::string_view text, std::size_t limit) noexcept {
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool inString = false;
    bool escaped = false;
    for (char c : text) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
            }
            continue;
        }
        switch (c) {
            case '"':
                inString = true;
                break;
            case '[':
            case '{':
                if (++depth > deepest) {
                    deepest = depth;
                    if (deepest > limit) return deepest;
                }
                break;
            case ']':
            case '}':
                if (depth > 0) --depth;
                break;
            default:
                break;
        }
    }
    return deepest;
}

nlohmann::json parseRequestText(std::string_view text, std::size_t maxDepth) {
    if (!nm::utf8Valid(text)) {
        throw RpcError(protocol::words::ParseError, "the request is not valid UTF-8");
    }
    if (jsonNestingDepth(text, maxDepth) > maxDepth) {
        throw RpcError(protocol::words::TooLarge,
                       "the request nests deeper than " + std::to_string(maxDepth) + " levels");
    }
    auto value = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (value.is_discarded())
        throw RpcError(protocol::words::ParseError, "the request is not valid JSON");
    return value;
}

bool containsSecretMember(const nlohmann::json& value) noexcept {
    if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            std::string lower(key);
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (lower.find("pin") != std::string::npos ||
                lower.find("password") != std::string::npos ||
                lower.find("passphrase") != std::string::npos) {
                return true;
            }
            if (containsSecretMember(member)) return true;
        }
    } else if (value.is_array()) {
        for (const auto& member : value) {
            if (containsSecretMember(member)) return true;
        }
    }
    return false;
}

}  // namespace firmante::agent
