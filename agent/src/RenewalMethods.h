#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "firmante/agent/Limits.h"
#include "firmante/agent/MethodPlan.h"
#include "firmante/agent/RequestContext.h"
#include "firmante/renewal/Authorizer.h"

namespace firmante::agent {

class TokenRegistry;

/// The renewal.* methods: params checked here, the work done by renewal::RenewalManager on the
/// token's worker. Built only when agent/renewal is present.
class RenewalMethods {
  public:
    /// nullptr when this build has no renewal support.
    static std::unique_ptr<RenewalMethods> create(TokenRegistry& tokens,
                                                  renewal::Authorizer& authorizer,
                                                  std::filesystem::path journalDir, Limits limits);
    virtual ~RenewalMethods() = default;

    /// Validates params and returns the plan for `method` (one of the seven renewal.* names).
    /// Throws RpcError.
    virtual MethodPlan plan(const std::string& method, const RequestContext& context,
                            const nlohmann::json& params) = 0;

    /// CA certificate files trusted for renewals begun by each origin (config
    /// `renewal.trustedIssuers`). Throws std::runtime_error naming a file that cannot be read.
    virtual void trustIssuers(
        const std::map<std::string, std::vector<std::filesystem::path>>& files) = 0;

    /// Config `renewal.requireConfirmedProvenance`: refuse a new key whose provenance the token
    /// does not confirm (RenewalManager::requireConfirmedProvenance).
    virtual void requireConfirmedProvenance(bool required) { (void)required; }
};

}  // namespace firmante::agent
