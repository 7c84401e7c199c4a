#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "firmante/agent/Limits.h"

namespace firmante::agent {

/// The config file (`FIRMANTE_CONFIG`, else `$XDG_CONFIG_HOME/firmante/config.json`):
/// `{"module": "/path.so", "allowedOrigins": ["https://…"], "limits": {…}}`.
struct AgentConfig {
    std::optional<std::string> module;
    std::vector<std::string> allowedOrigins;
    Limits limits;
    /// The whole document as read, so that rewriting it keeps members we do not know.
    nlohmann::json document = nlohmann::json::object();

    /// Reads the file; a missing file gives the defaults. Throws std::runtime_error naming the
    /// file and the member for malformed content.
    static AgentConfig load(const std::filesystem::path& path);
    /// Parses a document (same checks as load).
    static AgentConfig fromJson(const nlohmann::json& document);
};

}  // namespace firmante::agent
