#include "RenewDirectBackend.h"

#include <chrono>
#include <future>

#ifdef FIRMANTE_CLI_HAVE_SPDLOG
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#endif

#include "CliError.h"
#include "JournalPath.h"
#include "ModuleSelection.h"
#include "firmante/agent/Methods.h"
#include "firmante/agent/Outcome.h"
#include "firmante/agent/RequestContext.h"
#include "firmante/agent/TokenDirectory.h"
#include "firmante/agent/TokenWorker.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/views/Json.h"

namespace firmante::cli {

/// The one token the CLI opened, as the agent's handlers find tokens: a worker of its own (a
/// second session on the token, on the worker's thread; logged out after each operation, as in
/// the agent).
class RenewDirectBackend::Tokens : public agent::TokenDirectory {
  public:
    explicit Tokens(const TokenSession& session)
        : info_(session.info()),
          path_(session.module()->path()),
          // One request at a time; the CLI waits for each, so nothing queues.
          worker_(std::make_shared<agent::TokenWorker>(session.module(), session.info(), 1,
                                                       std::chrono::hours(24))) {}

    std::vector<pkcs11::TokenInfo> snapshot() const override { return {info_}; }
    std::vector<std::shared_ptr<agent::TokenWorker>> workers() const override { return {worker_}; }
    std::string modulePath() const override { return path_; }

  private:
    pkcs11::TokenInfo info_;
    std::string path_;
    std::shared_ptr<agent::TokenWorker> worker_;
};

namespace {

// The agent's handlers log on its "renewal", "token" and "rpc" loggers (the agent's log file).
// Here stdout carries the steps for the person (or the one JSON document), and the CLI reports
// every error itself: only the renewal's warnings, on stderr.
void quietAgentLogs() {
#ifdef FIRMANTE_CLI_HAVE_SPDLOG
    for (const auto& [name, level] :
         {std::pair{"renewal", spdlog::level::warn}, std::pair{"token", spdlog::level::off},
          std::pair{"rpc", spdlog::level::off}}) {
        if (spdlog::get(name)) continue;
        auto logger = std::make_shared<spdlog::logger>(
            name, std::make_shared<spdlog::sinks::stderr_sink_mt>());
        logger->set_level(level);
        spdlog::register_logger(logger);
    }
#endif
}

// The worker's error as the other verbs throw it (main turns it into the person's message).
[[noreturn]] void throwAsTokenError(const agent::RpcError& error) {
    const auto* row = protocol::findReason(error.reason());
    pkcs11::Error e(row ? row->reason : pkcs11::Reason::Internal, error.what());
    const auto& data = error.extraData();
    if (data.is_object()) {
        std::optional<int> triesLeft;
        if (auto t = data.find("triesLeft"); t != data.end() && t->is_number_integer())
            triesLeft = t->get<int>();
        if (data.value("pinFinalTry", false)) triesLeft = 1;
        e.setTries(triesLeft, data.value("pinCountLow", false));
    }
    throw e;
}

}  // namespace

RenewDirectBackend::RenewDirectBackend(const Arguments& args, std::string origin, bool retireOld)
    : origin_(std::move(origin)),
      authorizer_(args.descriptor("pin-fd"), retireOld),
      session_(args),
      tokens_(std::make_unique<Tokens>(session_)) {
    quietAgentLogs();
    const agent::Limits limits;
    renewals_ = agent::RenewalMethods::create(*tokens_, authorizer_, journalDir(), limits);
    if (!renewals_) throw CliError(protocol::words::Internal, "this build has no renewal support");
    renewals_->requireConfirmedProvenance(configuredRequireConfirmedProvenance());
    renewals_->addTo(methods_);
    agent::addSigningMethods(methods_, *tokens_, authorizer_, limits);
}

RenewDirectBackend::~RenewDirectBackend() = default;

nlohmann::json RenewDirectBackend::certificates(const std::optional<std::string>&) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : session_.token().certificates()) list.push_back(views::certificateJson(c));
    return list;
}

nlohmann::json RenewDirectBackend::call(const std::string& method, const nlohmann::json& params) {
    const auto* found = methods_.find(method);
    if (!found) throw CliError(protocol::words::Internal, "unknown renewal call " + method);
    agent::RequestContext context;
    context.origin = origin_;
    context.requestId = "cli:" + std::to_string(++calls_);
    std::promise<agent::Outcome> answer;
    auto outcome = answer.get_future();
    try {
        // Params are checked here, before any token work (RpcError INVALID_PARAMS, TOO_LARGE).
        const auto plan = found->handler(context, params);
        plan.execute([&answer](agent::Outcome o) { answer.set_value(std::move(o)); });
    } catch (const agent::RpcError& e) {
        throwAsTokenError(e);
    }
    auto result = outcome.get();
    const auto own = authorizer_.takeOwnError();
    if (!result.error) return std::move(result.result);
    if (own) std::rethrow_exception(own);
    throwAsTokenError(*result.error);
}

}  // namespace firmante::cli
