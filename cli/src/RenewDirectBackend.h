#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "Arguments.h"
#include "RenewBackend.h"
#include "RenewDirectAuthorizer.h"
#include "TokenSession.h"
#include "firmante/agent/MethodTable.h"
#include "firmante/agent/RenewalMethods.h"

namespace firmante::cli {

/// The token itself, when no agent runs (or --direct): the agent's own method handlers
/// (agent::MethodTable with its renewal and signing methods, the same params checks and limits)
/// run in-process on a worker over the token the CLI opened, with the CLI's PIN sources. The
/// journal folder is the agent's ($XDG_STATE_HOME/firmante/renewals), so a renewal begun here can
/// be continued by the agent and the other way round.
class RenewDirectBackend : public RenewBackend {
  public:
    RenewDirectBackend(const Arguments& args, std::string origin, bool retireOld);
    ~RenewDirectBackend() override;

    std::string via() const override { return "direct"; }
    /// The token is the session's (already chosen with --token).
    nlohmann::json certificates(const std::optional<std::string>& token) override;
    /// Runs the method's handler as the agent would for `origin`; its error as pkcs11::Error (or
    /// the CLI's own, for a PIN that could not be read), as the other verbs throw.
    nlohmann::json call(const std::string& method, const nlohmann::json& params) override;
    const std::string& tokenLabel() const noexcept { return session_.info().label; }

  private:
    class Tokens;

    std::string origin_;
    RenewDirectAuthorizer authorizer_;
    TokenSession session_;
    // Destroyed before the session: the worker closes its own session on its thread first.
    std::unique_ptr<Tokens> tokens_;
    agent::MethodTable methods_;
    std::unique_ptr<agent::RenewalMethods> renewals_;
    std::uint64_t calls_ = 0;
};

}  // namespace firmante::cli
