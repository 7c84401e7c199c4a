#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace firmante::cli {

/// What `firmante renew` asks of the token, with the protocol's method names and JSON shapes
/// (docs/protocol.md): through the agent (RenewAgentBackend) or directly (RenewDirectBackend).
/// Every call throws CliError with the reason word.
class RenewBackend {
  public:
    virtual ~RenewBackend() = default;
    /// "agent" or "direct".
    virtual std::string via() const = 0;
    /// certificates.list's `certificates`, on the token named by `token` (label or URI) if given.
    virtual nlohmann::json certificates(const std::optional<std::string>& token) = 0;
    /// A method of DESIGN §2: auth.sign_challenge, renewal.begin, renewal.sign_letter,
    /// renewal.prove_possession, renewal.install_certificate, renewal.finish.
    virtual nlohmann::json call(const std::string& method, const nlohmann::json& params) = 0;
};

}  // namespace firmante::cli
