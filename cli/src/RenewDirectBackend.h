#pragma once

#include <memory>
#include <string>

#include "Arguments.h"
#include "RenewBackend.h"
#include "RenewDirectAuthorizer.h"
#include "TokenSession.h"
#include "firmante/renewal/RenewalManager.h"

namespace firmante::cli {

/// The token itself, when no agent runs (or --direct): the agent's own renewal library
/// (firmante_renewal, same journal folder $XDG_STATE_HOME/firmante/renewals) over the CLI's
/// token session, so a renewal begun here can be continued by the agent and the other way round.
class RenewDirectBackend : public RenewBackend {
  public:
    RenewDirectBackend(const Arguments& args, std::string origin, bool retireOld);

    std::string via() const override { return "direct"; }
    /// The token is the session's (already chosen with --token).
    nlohmann::json certificates(const std::optional<std::string>& token) override;
    nlohmann::json call(const std::string& method, const nlohmann::json& params) override;
    const std::string& tokenLabel() const noexcept { return session_.info().label; }

  private:
    nlohmann::json signChallenge(const nlohmann::json& params);

    std::string origin_;
    RenewDirectAuthorizer authorizer_;
    renewal::RenewalManager renewals_;
    TokenSession session_;
};

}  // namespace firmante::cli
