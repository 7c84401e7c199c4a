#pragma once

#include <mutex>
#include <string>

#include "firmante/agent/ConfigStore.h"
#include "firmante/prompt/Prompter.h"

namespace firmante::agent {

/// DESIGN §3 rule 3: origins outside the allowlist are refused unless the person approves them
/// in the agent's own prompt; an approval is remembered in the config file.
class OriginPolicy {
  public:
    OriginPolicy(ConfigStore& config, prompt::Prompter& prompter)
        : config_(config), prompter_(prompter) {}

    /// Cheap check, any thread.
    bool allowed(const std::string& origin) const { return config_.originAllowed(origin); }
    /// Blocking: asks the person when needed (one question at a time). Throws
    /// RpcError(ORIGIN_NOT_ALLOWED) when refused.
    void authorize(const std::string& origin);

  private:
    ConfigStore& config_;
    prompt::Prompter& prompter_;
    std::mutex askMutex_;
};

}  // namespace firmante::agent
