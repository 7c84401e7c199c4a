#include "firmante/agent/Dispatcher.h"

#include <boost/asio/post.hpp>

#include "ExtensionPageRule.h"
#include "RenewalMethods.h"
#include "SigningKey.h"
#include "StatusFeed.h"
#include "firmante/agent/ActivityLog.h"
#include "firmante/agent/AgentStatus.h"
#include "firmante/agent/Base64.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/Origin.h"
#include "firmante/agent/OriginPolicy.h"
#include "firmante/agent/ParamReader.h"
#include "firmante/agent/RequestParser.h"
#include "firmante/agent/RpcError.h"
#include "firmante/agent/TokenRegistry.h"
#include "firmante/agent/Version.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/renewal/LetterCheck.h"
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

}  // namespace

Dispatcher::Dispatcher(TokenRegistry& tokens, OriginPolicy& origins,
                       renewal::Authorizer& authorizer, std::filesystem::path renewalsDir,
                       Limits limits, std::vector<std::string> transports)
    : tokens_(tokens),
      origins_(origins),
      authorizer_(authorizer),
      renewals_(RenewalMethods::create(tokens, authorizer, std::move(renewalsDir), limits)),
      limits_(limits),
      transports_(std::move(transports)) {
    registerMethods();
    registerBatchSigning();
    registerRenewalMethods();
}

Dispatcher::~Dispatcher() {
    stop();
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

        std::string origin;
        switch (connection.kind) {
            case ConnectionContext::Kind::Cli:
            case ConnectionContext::Kind::WebSocket:
                origin = connection.attestedOrigin.value_or(std::string(kLocalOrigin));
                break;
            case ConnectionContext::Kind::NativeMessaging: {
                // The extension's background puts the sender's origin here (conventions); the
                // relay forwards it unchanged. A page cannot reach this member.
                const auto o = request.find("origin");
                if (o == request.end() || !o->is_string() ||
                    !isValidOrigin(o->get_ref<const std::string&>()) ||
                    o->get_ref<const std::string&>() == kLocalOrigin) {
                    throw RpcError(protocol::words::InvalidRequest,
                                   "native messaging requests carry the page origin");
                }
                origin = o->get<std::string>();
                break;
            }
        }

        const auto handler = methods_.find(method);
        if (handler == methods_.end()) {
            throw RpcError(protocol::words::MethodNotFound,
                           "unknown method '" + method.substr(0, kMaxMethodLength) + "'");
        }
        logger("rpc")->info("{} from {}", method, origin);
        const bool ownExtensionRead =
            extensionPageMayReadWithoutConsent(connection, origin, method);
        RequestContext context{origin, requestId};
        const bool trusted = ownExtensionRead || origins_.allowed(origin);
        MethodPlan plan;
        // A site not yet allowed learns nothing from a lookup (which renewal ids, tokens or keys
        // exist) before the person allows it: such an answer waits for consent. Malformed input
        // is still refused at once, without a question.
        std::optional<RpcError> lookupFailure;
        try {
            plan = handler->second(context, params);
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
        auto done = [this, id, requestId, respond, method, origin,
                     reported = std::move(reported)](Outcome outcome) {
            if (status_ && !outcome.error) report(method, origin, reported, outcome.result);
            finish(id, requestId, respond, std::move(outcome));
        };
        if (!lookupFailure && (!plan.needsOrigin || trusted)) {
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

void Dispatcher::report(const std::string& method, const std::string& origin,
                        const nlohmann::json& params, const nlohmann::json& result) {
    try {
        const auto renewalId =
            result.is_object() && result.contains("renewalId") && result["renewalId"].is_string()
                ? result["renewalId"].get<std::string>()
                : params.value("renewalId", std::string());
        if (method.rfind("renewal.", 0) == 0 && method != "renewal.status" && !renewalId.empty()) {
            status_->renewalActive(renewalId,
                                   method != "renewal.finish" && method != "renewal.cancel");
        }
        // A renewal step that changes the token's certificates: the tray lists them again.
        if (method == "renewal.install_certificate" || method == "renewal.finish" ||
            method == "renewal.cancel") {
            readCertificatesFor(*status_, tokens_.workers());
        }
        Activity activity;
        if (describeActivity(method, origin, params.value("fileName", std::string()),
                             params.value("count", std::size_t{0}),
                             std::chrono::system_clock::now(), activity)) {
            status_->record(std::move(activity));
        }
    } catch (const std::exception& e) {
        // The tray's view is a convenience: it never turns a success into a failure.
        logger("rpc")->warn("cannot report to the tray: {}", e.what());
    }
}

void Dispatcher::registerMethods() {
    methods_["agent.info"] = [this](const RequestContext&, const nlohmann::json& params) {
        ParamReader(params).allowOnly({});
        MethodPlan plan;
        // A page must be able to find out whether an agent runs before it is allowed anything.
        plan.needsOrigin = false;
        plan.execute = [this](Completion done) {
            nlohmann::json tokens = nlohmann::json::array();
            for (const auto& t : tokens_.snapshot()) tokens.push_back(views::tokenJson(t));
            nlohmann::json info{
                {"version", kAgentVersion},        {"protocolVersion", kProtocolVersion},
                {"transports", transports_},       {"module", tokens_.module().path()},
                {"renewal", renewals_ != nullptr}, {"tokens", std::move(tokens)}};
            if (webSocketPort_ != 0) info["webSocketPort"] = webSocketPort_;
            if (!webSocketProblem_.is_null()) info["webSocketProblem"] = webSocketProblem_;
            done(Outcome::success(std::move(info)));
        };
        return plan;
    };

    methods_["tokens.list"] = [this](const RequestContext&, const nlohmann::json& params) {
        ParamReader(params).allowOnly({});
        MethodPlan plan;
        plan.execute = [this](Completion done) {
            nlohmann::json tokens = nlohmann::json::array();
            for (const auto& t : tokens_.snapshot()) tokens.push_back(views::tokenJson(t));
            done(Outcome::success({{"tokens", std::move(tokens)}}));
        };
        return plan;
    };

    methods_["certificates.list"] = [this](const RequestContext& context,
                                           const nlohmann::json& params) {
        ParamReader p(params);
        p.allowOnly({"token"});
        const auto selector = p.optionalString("token", 4096);
        std::vector<std::shared_ptr<TokenWorker>> workers;
        if (selector) {
            workers.push_back(tokens_.workerForSelector(*selector));
        } else {
            workers = tokens_.workers();
        }
        MethodPlan plan;
        plan.execute = [workers, requestId = context.requestId](Completion done) {
            if (workers.empty()) {
                done(Outcome::success({{"certificates", nlohmann::json::array()}}));
                return;
            }
            // Fan out to every token's worker and answer once all have (in slot order).
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
        };
        return plan;
    };

    methods_["auth.sign_challenge"] = [this](const RequestContext& context,
                                             const nlohmann::json& params) {
        ParamReader p(params);
        p.allowOnly({"certificate", "nonce"});
        const auto uri = p.uri("certificate");
        const auto nonce = p.base64("nonce", 16, 256);
        auto worker = tokens_.workerFor(uri);
        MethodPlan plan;
        plan.execute = [this, worker, uri, nonce, context](Completion done) {
            worker->submit(
                context.requestId,
                [this, uri, nonce, context](pkcs11::Token& token) -> nlohmann::json {
                    auto certificate =
                        token.certificate(uri, pkcs11::Token::Pairing::CertificateOnly);
                    renewal::OperationDescription what;
                    what.origin = context.origin;
                    what.operation = "Iniciar sesión con su certificado (firmar un reto)";
                    what.operationEn = "Log in with your certificate (sign a challenge)";
                    what.tokenLabel = token.info().label;
                    what.keyLabel = keyLabelOf(certificate);
                    what.action = renewal::Action::LogIn;
                    authorizer_.unlock(token, what);
                    auto key = signingKey(token, certificate);
                    // The origin is the transport's, never one the page sent (DESIGN §2).
                    auto signature = pkcs11::signChallenge(key.get(), context.origin, nonce);
                    return {{"signature", base64Encode(signature.signature)},
                            {"algorithm", signature.algorithm},
                            {"certificate", base64Encode(certificate.der)}};
                },
                std::move(done));
        };
        return plan;
    };

    methods_["documents.sign"] = [this](const RequestContext& context,
                                        const nlohmann::json& params) {
        ParamReader p(params);
        p.allowOnly({"certificate", "document", "fileName"});
        const auto uri = p.uri("certificate");
        const auto fileName = p.fileName("fileName");
        auto document = std::make_shared<const pkcs11::Bytes>(
            p.base64("document", 1, limits_.maxDocumentBytes));
        auto worker = tokens_.workerFor(uri);
        MethodPlan plan;
        plan.execute = [this, worker, uri, fileName, document, context](Completion done) {
            worker->submit(
                context.requestId,
                [this, uri, fileName, document, context](pkcs11::Token& token) -> nlohmann::json {
                    auto certificate =
                        token.certificate(uri, pkcs11::Token::Pairing::CertificateOnly);
                    if (certificate.expired) {
                        throw RpcError(protocol::words::CertificateExpired,
                                       "documents are signed only with a valid certificate; "
                                       "this one is outside its validity period");
                    }
                    // Issue 9 §1: a renewal letter signed here would skip the letter check.
                    if (renewal::carriesRenewalHeadings(*document)) {
                        throw RpcError(protocol::words::LetterMismatch,
                                       "this PDF is a renewal letter; sign it with "
                                       "renewal.sign_letter, which checks its keys");
                    }
                    const auto digest = pkcs11::toHex(pkcs11::sha256(*document));
                    renewal::OperationDescription what;
                    what.origin = context.origin;
                    // The name is shown on its own line, escaped and shortened, not here.
                    what.operation = "Firmar el documento";
                    what.operationEn = "Sign the document";
                    what.fileName = fileName;
                    what.documentSha256Hex = digest;
                    what.tokenLabel = token.info().label;
                    what.keyLabel = keyLabelOf(certificate);
                    authorizer_.unlock(token, what);
                    auto key = signingKey(token, certificate);
                    auto x509 = pkcs11::decodeCertificate(certificate.der);
                    auto cms = pkcs11::signDetached(key.get(), x509.get(), *document);
                    return {{"cms", base64Encode(cms.der)},
                            {"documentSha256", pkcs11::toHex(cms.documentSha256)},
                            {"signer", cms.signerSubject},
                            {"certificate", base64Encode(certificate.der)}};
                },
                std::move(done));
        };
        return plan;
    };
}

void Dispatcher::trustRenewalIssuers(
    const std::map<std::string, std::vector<std::filesystem::path>>& files) {
    if (renewals_) renewals_->trustIssuers(files);
}

void Dispatcher::requireConfirmedProvenance(bool required) {
    if (renewals_) renewals_->requireConfirmedProvenance(required);
}

void Dispatcher::registerRenewalMethods() {
    for (const char* method :
         {"renewal.begin", "renewal.prove_possession", "renewal.sign_letter",
          "renewal.install_certificate", "renewal.status", "renewal.finish", "renewal.cancel"}) {
        const std::string name = method;
        methods_[name] = [this, name](const RequestContext& context,
                                      const nlohmann::json& params) -> MethodPlan {
            if (!renewals_) {
                throw RpcError(protocol::words::Internal,
                               "renewal is not available in this build of the agent");
            }
            return renewals_->plan(name, context, params);
        };
    }
}

}  // namespace firmante::agent
