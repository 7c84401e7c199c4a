#include "firmante/agent/Dispatcher.h"

#include <boost/asio/post.hpp>

#include "ExtensionPageRule.h"
#include "StatusFeed.h"
#include "firmante/agent/ActivityLog.h"
#include "firmante/agent/AgentStatus.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/Methods.h"
#include "firmante/agent/Origin.h"
#include "firmante/agent/OriginPolicy.h"
#include "firmante/agent/ParamReader.h"
#include "firmante/agent/RenewalMethods.h"
#include "firmante/agent/RequestParser.h"
#include "firmante/agent/RpcError.h"
#include "firmante/agent/TokenDirectory.h"
#include "firmante/agent/Version.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/views/Json.h"

namespace firmante::agent {

namespace {

constexpr std::size_t kMaxMethodLength = 64;
constexpr std::size_t kMaxIdLength = 128;

// Refusals of the request's own shape: they reveal nothing of the token or the journal.
bool isInputError(const std::string& reason) {
    return reason == protocol::words::InvalidParams || reason == protocol::words::InvalidRequest ||
           reason == protocol::words::TooLarge || reason == protocol::words::ParseError ||
           reason == protocol::words::MethodNotFound;
}

// Over our native host's relay the extension's background puts the sender's origin in each
// request (conventions); the relay forwards it unchanged. A page cannot reach this member.
std::string relayedOrigin(const nlohmann::json& request) {
    const auto o = request.find("origin");
    if (o == request.end() || !o->is_string() || !isValidOrigin(o->get_ref<const std::string&>()) ||
        o->get_ref<const std::string&>() == kLocalOrigin) {
        throw RpcError(protocol::words::InvalidRequest,
                       "native messaging requests carry the page origin");
    }
    return o->get<std::string>();
}

}  // namespace

Dispatcher::Dispatcher(TokenDirectory& tokens, OriginPolicy& origins,
                       renewal::Authorizer& authorizer, std::filesystem::path renewalsDir,
                       Limits limits, std::vector<std::string> transports)
    : tokens_(tokens),
      origins_(origins),
      authorizer_(authorizer),
      renewals_(RenewalMethods::create(tokens, authorizer, std::move(renewalsDir), limits)),
      limits_(limits),
      transports_(std::move(transports)) {
    addAgentInfo();
    addReadMethods(methods_, tokens_);
    addSigningMethods(methods_, tokens_, authorizer_, limits_);
    addBatchSigning(methods_, tokens_, authorizer_, limits_);
    addRenewalMethods();
    methods_.requireComplete();
}

Dispatcher::~Dispatcher() {
    stop();
}

void Dispatcher::setStatus(AgentStatus* status) {
    status_ = status;
    // A renewal an earlier run left in the journal is in progress now, not only once its next
    // step runs.
    if (status_ && renewals_) {
        for (const auto& id : renewals_->unfinishedRenewals()) status_->renewalActive(id, true);
    }
}

void Dispatcher::stop() {
    origins_.stop();
}

void Dispatcher::handle(std::string_view text, const ConnectionContext& connection,
                        Respond respond) {
    nlohmann::json id = nullptr;
    std::string requestId = std::to_string(connection.id) + ":-";
    try {
        auto request = parseRequestText(text, limits_.maxJsonDepth);
        if (!request.is_object())
            throw RpcError(protocol::words::InvalidRequest, "a request is a JSON object");
        const auto idIt = request.find("id");
        const bool idValid =
            idIt != request.end() &&
            ((idIt->is_string() && idIt->get_ref<const std::string&>().size() <= kMaxIdLength) ||
             idIt->is_number_integer());
        if (idValid) {
            id = *idIt;
            requestId = std::to_string(connection.id) + ":" +
                        printable(idIt->is_string() ? idIt->get<std::string>() : idIt->dump(), 64);
        }
        RequestScope scope(requestId);
        if (request.value("jsonrpc", nlohmann::json()) != "2.0") {
            throw RpcError(protocol::words::InvalidRequest, "jsonrpc must be \"2.0\"");
        }
        if (!idValid) {
            throw RpcError(protocol::words::InvalidRequest,
                           "every request needs an id: a string (at most 128 bytes) or an integer");
        }
        const auto methodIt = request.find("method");
        if (methodIt == request.end() || !methodIt->is_string() ||
            methodIt->get_ref<const std::string&>().size() > kMaxMethodLength) {
            throw RpcError(protocol::words::InvalidRequest, "method must be a string");
        }
        const std::string method = methodIt->get<std::string>();
        nlohmann::json params = nullptr;
        if (auto p = request.find("params"); p != request.end()) params = std::move(*p);
        if (!params.is_null() && !params.is_object()) {
            throw RpcError(protocol::words::InvalidParams, "params must be an object");
        }
        if (containsSecretMember(params)) {
            // The value is neither logged nor echoed: it may be a real PIN.
            throw RpcError(protocol::words::InvalidParams,
                           "PINs are typed only in the agent's prompt / el PIN se escribe solo en "
                           "la ventana del agente");
        }

        const std::string origin =
            connection.originPerRequest ? relayedOrigin(request) : connection.origin;
        if (origin.empty()) {
            // A transport that vouched for no origin: nothing may run on its word.
            throw RpcError(protocol::words::InvalidRequest, "the connection carries no origin");
        }

        const auto* handler = methods_.find(method);
        if (handler == nullptr) {
            throw RpcError(protocol::words::MethodNotFound,
                           "unknown method '" + method.substr(0, kMaxMethodLength) + "'");
        }
        const auto& info = *handler->info;
        logger("rpc")->info("{} from {}", method, origin);
        const bool ownExtensionRead = extensionPageMayReadWithoutConsent(connection, origin, info);
        RequestContext context{origin, requestId, ownExtensionRead};
        const bool trusted = ownExtensionRead || origins_.allowed(origin);
        MethodPlan plan;
        // A site not yet allowed learns nothing from a lookup (which renewal ids, tokens or keys
        // exist) before the person allows it: such an answer waits for consent. Malformed input
        // is still refused at once, without a question.
        std::optional<RpcError> lookupFailure;
        try {
            plan = handler->handler(context, params);
        } catch (const std::exception& e) {
            auto error = RpcError::from(e);
            if (trusted || isInputError(error.reason())) throw;
            lookupFailure = std::move(error);
        }

        // Only what the tray lists is kept of the params (a file name, a count, a renewal id),
        // never a document.
        nlohmann::json reported = nlohmann::json::object();
        if (status_ && params.is_object()) {
            for (const char* member : {"fileName", "renewalId"}) {
                if (auto it = params.find(member); it != params.end() && it->is_string())
                    reported[member] = *it;
            }
            if (auto it = params.find("documents"); it != params.end() && it->is_array())
                reported["count"] = it->size();
        }
        auto done = [this, id, requestId, respond, row = handler->info, origin,
                     reported = std::move(reported)](Outcome outcome) {
            if (status_ && !outcome.error) report(*row, origin, reported, outcome.result);
            finish(id, requestId, respond, std::move(outcome));
        };
        if (!lookupFailure && (!info.needsOrigin || trusted)) {
            plan.execute(std::move(done));
            return;
        }
        // The one consent queue of every transport; the answer comes on its thread.
        origins_.ask(origin, [requestId, plan = std::move(plan), lookupFailure,
                              done = std::move(done)](std::optional<RpcError> refusal) mutable {
            RequestScope scope(requestId);
            if (refusal) {
                done(Outcome::failure(std::move(*refusal)));
                return;
            }
            if (lookupFailure) {
                done(Outcome::failure(std::move(*lookupFailure)));
                return;
            }
            plan.execute(std::move(done));
        });
    } catch (const std::exception& e) {
        RequestScope scope(requestId);
        auto error = RpcError::from(e);
        logger("rpc")->info("refused: {} ({})", error.reason(), printable(error.what()));
        respond(errorResponse(id, error));
    }
}

void Dispatcher::finish(const nlohmann::json& id, const std::string& requestId,
                        const Respond& respond, Outcome outcome) {
    RequestScope scope(requestId);
    if (outcome.error) {
        logger("rpc")->info("failed: {} ({})", outcome.error->reason(),
                            printable(outcome.error->what(), 400));
        respond(errorResponse(id, *outcome.error));
    } else {
        logger("rpc")->info("done");
        respond(resultResponse(id, std::move(outcome.result)));
    }
}

void Dispatcher::report(const protocol::MethodInfo& method, const std::string& origin,
                        const nlohmann::json& params, const nlohmann::json& result) {
    try {
        const auto renewalId =
            result.is_object() && result.contains("renewalId") && result["renewalId"].is_string()
                ? result["renewalId"].get<std::string>()
                : params.value("renewalId", std::string());
        if (method.renewalStep && !renewalId.empty())
            status_->renewalActive(renewalId, !method.endsRenewal);
        // A renewal step that changes the token's certificates: the tray lists them again.
        if (method.changesCertificates) readCertificatesFor(*status_, tokens_.workers());
        Activity activity;
        if (describeActivity(std::string(method.name), origin,
                             params.value("fileName", std::string()),
                             params.value("count", std::size_t{0}),
                             std::chrono::system_clock::now(), activity)) {
            status_->record(std::move(activity));
        }
    } catch (const std::exception& e) {
        // The tray's view is a convenience: it never turns a success into a failure.
        logger("rpc")->warn("cannot report to the tray: {}", e.what());
    }
}

void Dispatcher::addAgentInfo() {
    // Any origin may call it (methods.json: needsOrigin false): a page must be able to find out
    // whether an agent runs before it is allowed anything.
    methods_.add(protocol::methods::names::AgentInfo, [this](const RequestContext&,
                                                             const nlohmann::json& params) {
        ParamReader(params).allowOnly({});
        MethodPlan plan;
        plan.execute = [this](Completion done) {
            nlohmann::json tokens = nlohmann::json::array();
            for (const auto& t : tokens_.snapshot()) tokens.push_back(views::tokenJson(t));
            nlohmann::json info{
                {"version", kAgentVersion},        {"protocolVersion", kProtocolVersion},
                {"transports", transports_},       {"module", tokens_.modulePath()},
                {"renewal", renewals_ != nullptr}, {"tokens", std::move(tokens)}};
            if (webSocketPort_ != 0) info["webSocketPort"] = webSocketPort_;
            if (!webSocketProblem_.is_null()) info["webSocketProblem"] = webSocketProblem_;
            done(Outcome::success(std::move(info)));
        };
        return plan;
    });
}

void Dispatcher::trustRenewalIssuers(
    const std::map<std::string, std::vector<std::filesystem::path>>& files) {
    if (renewals_) renewals_->trustIssuers(files);
}

void Dispatcher::requireConfirmedProvenance(bool required) {
    if (renewals_) renewals_->requireConfirmedProvenance(required);
}

void Dispatcher::addRenewalMethods() {
    if (renewals_) {
        renewals_->addTo(methods_);
        return;
    }
    for (const auto& row : protocol::methods::kTable) {
        if (!row.name.starts_with("renewal.")) continue;
        methods_.add(row.name, [](const RequestContext&, const nlohmann::json&) -> MethodPlan {
            throw RpcError(protocol::words::Internal,
                           "renewal is not available in this build of the agent");
        });
    }
}

}  // namespace firmante::agent
