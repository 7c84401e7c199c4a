#pragma once

#include <memory>
#include <string>

#include "AgentClient.h"
#include "RenewBackend.h"

namespace firmante::cli {

/// The token through a running firmante-agent, on a `cli` connection whose hello attests the
/// portal's origin (conventions: a CLI acting for a portal it talks to itself), so the agent
/// signs challenges for that origin and checks it against its allowlist.
class RenewAgentBackend : public RenewBackend {
  public:
    /// nullptr when no agent listens. Throws CliError when the agent refuses the hello.
    static std::unique_ptr<RenewAgentBackend> connect(const std::string& origin);
    ~RenewAgentBackend() override;
    RenewAgentBackend(const RenewAgentBackend&) = delete;
    RenewAgentBackend& operator=(const RenewAgentBackend&) = delete;

    std::string via() const override { return "agent"; }
    nlohmann::json certificates(const std::optional<std::string>& token) override;
    nlohmann::json call(const std::string& method, const nlohmann::json& params) override;
    const std::string& socketPath() const noexcept { return client_->socketPath(); }

  private:
    explicit RenewAgentBackend(std::unique_ptr<AgentClient> client) : client_(std::move(client)) {}

    std::unique_ptr<AgentClient> client_;
};

}  // namespace firmante::cli
