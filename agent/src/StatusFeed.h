#pragma once

#include <memory>
#include <vector>

#include "firmante/agent/AgentStatus.h"
#include "firmante/agent/TokenWorker.h"

namespace firmante::agent {

/// Reads each token's certificates on its own worker (DESIGN §3 rule 7; no PIN: certificates are
/// public objects) and hands them to the tray's status. Returns at once.
void readCertificatesFor(AgentStatus& status,
                         const std::vector<std::shared_ptr<TokenWorker>>& workers);

}  // namespace firmante::agent
