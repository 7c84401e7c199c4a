// The lookups every token directory shares (the agent's registry, the CLI's direct path).
#include "firmante/agent/TokenDirectory.h"

#include "firmante/agent/RpcError.h"
#include "firmante/agent/TokenWorker.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Uri.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

std::shared_ptr<TokenWorker> TokenDirectory::workerFor(const pkcs11::Uri& uri) const {
    std::vector<std::shared_ptr<TokenWorker>> matching;
    for (const auto& worker : workers()) {
        const auto& t = worker->info();
        if (uri.matchesToken(t.label, t.manufacturer, t.model, t.serial))
            matching.push_back(worker);
    }
    if (matching.empty()) {
        throw RpcError(protocol::words::TokenNotPresent, "no token present matches " + uri.str());
    }
    if (matching.size() > 1) {
        throw RpcError(protocol::words::InvalidParams,
                       "several tokens match; name the token in the URI (token=…)");
    }
    return matching.front();
}

std::shared_ptr<TokenWorker> TokenDirectory::workerForSelector(
    const std::string& labelOrUri) const {
    if (pkcs11::isPkcs11Uri(labelOrUri)) {
        try {
            return workerFor(pkcs11::Uri::parse(labelOrUri));
        } catch (const pkcs11::Error& e) {
            throw RpcError(protocol::words::InvalidParams,
                           std::string("params.token: ") + e.what());
        }
    }
    for (const auto& worker : workers()) {
        if (worker->info().label == labelOrUri) return worker;
    }
    throw RpcError(protocol::words::TokenNotPresent,
                   "no token labelled '" + labelOrUri + "' is present");
}

}  // namespace firmante::agent
