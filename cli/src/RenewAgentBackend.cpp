#include "RenewAgentBackend.h"
#include "firmante/protocol/MethodTable.h"

namespace firmante::cli {

std::unique_ptr<RenewAgentBackend> RenewAgentBackend::connect(const std::string& origin) {
    auto client = AgentClient::connect(origin);
    if (!client) return nullptr;
    return std::unique_ptr<RenewAgentBackend>(new RenewAgentBackend(std::move(client)));
}

RenewAgentBackend::~RenewAgentBackend() = default;

nlohmann::json RenewAgentBackend::certificates(const std::optional<std::string>& token) {
    nlohmann::json params = nlohmann::json::object();
    if (token) params["token"] = *token;
    return call(protocol::methods::names::CertificatesList, params)
        .value("certificates", nlohmann::json::array());
}

nlohmann::json RenewAgentBackend::call(const std::string& method, const nlohmann::json& params) {
    return client_->call(method, params);
}

}  // namespace firmante::cli
