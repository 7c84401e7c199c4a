#include "StatusFeed.h"

#include "firmante/agent/Logging.h"

namespace firmante::agent {

void readCertificatesFor(AgentStatus& status,
                         const std::vector<std::shared_ptr<TokenWorker>>& workers) {
    for (const auto& worker : workers) {
        auto read = std::make_shared<std::vector<pkcs11::CertificateInfo>>();
        const std::string label = worker->info().label;
        worker->submit(
            "tray",
            [read](pkcs11::Token& token) {
                *read = token.certificates();
                return nlohmann::json();
            },
            [&status, read, label](Outcome outcome) {
                if (outcome.error) {
                    logger("token")->info("tray: cannot read the certificates of {}: {}", label,
                                          outcome.error->reason());
                    return;
                }
                status.setCertificates(label, *read);
            });
    }
}

}  // namespace firmante::agent
