#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "firmante/agent/ConnectionContext.h"
#include "firmante/agent/Limits.h"
#include "firmante/agent/MethodTable.h"
#include "firmante/agent/Outcome.h"
#include "firmante/agent/RequestContext.h"
#include "firmante/renewal/Authorizer.h"

namespace firmante::agent {

class AgentStatus;
class TokenDirectory;
class OriginPolicy;
class RenewalMethods;

/// JSON-RPC for every transport: parses and checks a request on the caller's (I/O) thread,
/// authorises its origin (prompting off that thread), and runs token work on the token's worker.
/// Transport-independent: a transport gives it text and a callback for the response text.
class Dispatcher {
  public:
    using Respond = std::function<void(nlohmann::json response)>;

    Dispatcher(TokenDirectory& tokens, OriginPolicy& origins, renewal::Authorizer& authorizer,
               std::filesystem::path renewalsDir, Limits limits,
               std::vector<std::string> transports);
    ~Dispatcher();

    /// Handles one frame body. `respond` is called exactly once (unless the agent stops), maybe
    /// on another thread. Never throws.
    void handle(std::string_view text, const ConnectionContext& connection, Respond respond);

    /// CA certificate files trusted per origin for renewal.install_certificate (config
    /// `renewal.trustedIssuers`). Throws std::runtime_error for a file that is not a certificate.
    void trustRenewalIssuers(
        const std::map<std::string, std::vector<std::filesystem::path>>& files);
    /// Config `renewal.requireConfirmedProvenance` (issue 11 §5).
    void requireConfirmedProvenance(bool required);

    /// For agent.info: transports this agent serves.
    void setTransports(std::vector<std::string> transports) { transports_ = std::move(transports); }
    /// For agent.info: the WebSocket port (0 = not served). Call before serving.
    void setWebSocketPort(std::uint16_t port) { webSocketPort_ = port; }
    /// For agent.info: why the WebSocket is not served ({reason, port, message}).
    void setWebSocketProblem(nlohmann::json problem) { webSocketProblem_ = std::move(problem); }

    /// The desktop's view of the agent (the tray): successful signatures and renewal steps are
    /// recorded there, and renewals in progress marked — from the start those the journal holds
    /// unfinished (an earlier run's). nullptr (default): nothing is recorded. Call before
    /// serving; `status` must outlive the dispatcher.
    void setStatus(AgentStatus* status);

    /// Stops the consent queue (pending origin questions are dropped).
    void stop();

  private:
    void addAgentInfo();
    void addRenewalMethods();
    void finish(const nlohmann::json& id, const std::string& requestId, const Respond& respond,
                Outcome outcome);
    /// After a request succeeded: the tray's recent activity and renewals in progress.
    void report(const protocol::MethodInfo& method, const std::string& origin,
                const nlohmann::json& params, const nlohmann::json& result);

    TokenDirectory& tokens_;
    OriginPolicy& origins_;
    renewal::Authorizer& authorizer_;
    std::unique_ptr<RenewalMethods> renewals_;
    Limits limits_;
    std::vector<std::string> transports_;
    std::uint16_t webSocketPort_ = 0;
    nlohmann::json webSocketProblem_;
    MethodTable methods_;
    AgentStatus* status_ = nullptr;
};

}  // namespace firmante::agent
