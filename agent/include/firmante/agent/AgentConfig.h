#pragma once

#include <chrono>
#include <filesystem>
#include <map>
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
    /// `renewal.trustedIssuers`: origin -> CA certificate files (PEM or DER) whose certificates
    /// renewal.install_certificate accepts besides the current certificate's issuer (issue 9 §8).
    std::map<std::string, std::vector<std::filesystem::path>> trustedIssuers;
    /// `pin.alwaysAsk`: every operation asks the PIN again, as before issue 12 (default false:
    /// one PIN per renewal, docs/security.md).
    bool alwaysAskPin = false;
    /// `renewal.requireConfirmedProvenance`: renewal.begin refuses (KEY_PROVENANCE_UNCONFIRMED)
    /// a new key the token does not vouch was generated on it and never left it (issue 11 §5).
    bool requireConfirmedProvenance = false;
    /// `pin.idleMinutes`: a login kept for a renewal ends after this long unused (1–60, 10).
    std::chrono::minutes unlockIdle{10};
    /// `tokens.pollMilliseconds` (100–600000, 500): how often the slot list of a module without
    /// slot events is read (docs/tokens.md "Tokens that come and go").
    std::chrono::milliseconds tokenPoll{500};
    /// `tokens.reinitialize` (default true): whether such a module may be re-initialised, when
    /// idle, to find tokens created since it started.
    bool reinitializeModule = true;
    /// The whole document as read, so that rewriting it keeps members we do not know.
    nlohmann::json document = nlohmann::json::object();

    /// Reads the file; a missing file gives the defaults. Throws std::runtime_error naming the
    /// file and the member for malformed content.
    static AgentConfig load(const std::filesystem::path& path);
    /// Parses a document (same checks as load).
    static AgentConfig fromJson(const nlohmann::json& document);
};

}  // namespace firmante::agent
