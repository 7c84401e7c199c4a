// tokens.list and certificates.list: what is connected, read without a PIN.
#include <mutex>
#include <optional>
#include <vector>

#include "firmante/agent/Methods.h"
#include "firmante/agent/ParamReader.h"
#include "firmante/agent/RpcError.h"
#include "firmante/agent/TokenDirectory.h"
#include "firmante/views/Json.h"

namespace firmante::agent {

namespace {

namespace names = protocol::methods::names;

// Fans out to every token's worker and answers once all have, in slot order.
void gatherCertificates(const std::vector<std::shared_ptr<TokenWorker>>& workers,
                        const std::string& requestId, Completion done) {
    if (workers.empty()) {
        done(Outcome::success({{"certificates", nlohmann::json::array()}}));
        return;
    }
    struct Gather {
        std::mutex mutex;
        std::vector<nlohmann::json> parts;
        std::size_t left;
        std::optional<RpcError> error;
        Completion done;
    };
    auto gather = std::make_shared<Gather>();
    gather->parts.resize(workers.size());
    gather->left = workers.size();
    gather->done = std::move(done);
    for (std::size_t i = 0; i < workers.size(); ++i) {
        workers[i]->submit(
            requestId,
            [](pkcs11::Token& token) {
                nlohmann::json list = nlohmann::json::array();
                for (const auto& c : token.certificates())
                    list.push_back(views::certificateJson(c));
                return list;
            },
            [gather, i](Outcome outcome) {
                std::unique_lock lock(gather->mutex);
                if (outcome.error) {
                    if (!gather->error) gather->error = std::move(outcome.error);
                } else {
                    gather->parts[i] = std::move(outcome.result);
                }
                if (--gather->left > 0) return;
                lock.unlock();
                if (gather->error) {
                    gather->done(Outcome::failure(std::move(*gather->error)));
                    return;
                }
                nlohmann::json all = nlohmann::json::array();
                for (auto& part : gather->parts) {
                    for (auto& c : part) all.push_back(std::move(c));
                }
                gather->done(Outcome::success({{"certificates", std::move(all)}}));
            });
    }
}

}  // namespace

void addReadMethods(MethodTable& table, TokenDirectory& tokens) {
    table.add(names::TokensList, [&tokens](const RequestContext&, const nlohmann::json& params) {
        ParamReader(params).allowOnly({});
        MethodPlan plan;
        plan.execute = [&tokens](Completion done) {
            // A token created since the module started may need a re-initialisation to be seen
            // (issue 11 §7); the registry decides, and answers at once when it cannot matter.
            tokens.refresh([&tokens, done = std::move(done)]() mutable {
                nlohmann::json list = nlohmann::json::array();
                for (const auto& t : tokens.snapshot()) list.push_back(views::tokenJson(t));
                done(Outcome::success({{"tokens", std::move(list)}}));
            });
        };
        return plan;
    });

    table.add(names::CertificatesList,
              [&tokens](const RequestContext& context, const nlohmann::json& params) {
                  ParamReader p(params);
                  p.allowOnly({"token"});
                  const auto selector = p.optionalString("token", 4096);
                  std::vector<std::shared_ptr<TokenWorker>> workers;
                  if (selector) {
                      workers.push_back(tokens.workerForSelector(*selector));
                  } else {
                      workers = tokens.workers();
                  }
                  MethodPlan plan;
                  plan.execute = [workers, requestId = context.requestId](Completion done) {
                      gatherCertificates(workers, requestId, std::move(done));
                  };
                  return plan;
              });
}

}  // namespace firmante::agent
