#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "firmante/agent/Limits.h"
#include "firmante/agent/MethodTable.h"
#include "firmante/renewal/Authorizer.h"

namespace firmante::agent {

class TokenDirectory;

/// The renewal.* methods: params checked here, the work done by renewal::RenewalManager on the
/// token's worker. Built only when agent/renewal is present.
class RenewalMethods {
  public:
    /// nullptr when this build has no renewal support.
    static std::unique_ptr<RenewalMethods> create(TokenDirectory& tokens,
                                                  renewal::Authorizer& authorizer,
                                                  std::filesystem::path journalDir, Limits limits);
    virtual ~RenewalMethods() = default;

    /// Registers the renewal.* methods of protocol/methods.json.
    virtual void addTo(MethodTable& table) = 0;

    /// CA certificate files trusted for renewals begun by each origin (config
    /// `renewal.trustedIssuers`). Throws std::runtime_error naming a file that cannot be read.
    virtual void trustIssuers(
        const std::map<std::string, std::vector<std::filesystem::path>>& files) = 0;

    /// Config `renewal.requireConfirmedProvenance`: refuse a new key whose provenance the token
    /// does not confirm (RenewalManager::requireConfirmedProvenance).
    virtual void requireConfirmedProvenance(bool required) { (void)required; }

    /// The journal's renewals that are neither finished nor cancelled (RenewalManager::unfinished).
    virtual std::vector<std::string> unfinishedRenewals() const { return {}; }
};

}  // namespace firmante::agent
