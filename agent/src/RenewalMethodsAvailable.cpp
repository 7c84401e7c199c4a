#include <algorithm>
#include <fstream>
#include <sstream>

#include "firmante/agent/Base64.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/Origin.h"
#include "firmante/agent/ParamReader.h"
#include "firmante/agent/RenewalMethods.h"
#include "firmante/agent/RpcError.h"
#include "firmante/agent/TokenDirectory.h"
#include "firmante/pkcs11/Types.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/renewal/RenewalManager.h"

namespace firmante::agent {

namespace {

namespace names = protocol::methods::names;

constexpr std::size_t kMaxCertificateBytes = 64 * 1024;
constexpr std::size_t kMaxChainLength = 8;

// A certificate arrives as PEM text or as base64 DER (binary values are base64 on the wire).
pkcs11::Bytes certificateBytes(const nlohmann::json& value, const std::string& name) {
    if (!value.is_string())
        throw RpcError(protocol::words::InvalidParams, "params." + name + " must be a string");
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxCertificateBytes * 2) {
        throw RpcError(protocol::words::TooLarge,
                       "params." + name + " is too large for a certificate");
    }
    if (text.starts_with("-----BEGIN")) return pkcs11::Bytes(text.begin(), text.end());
    auto der = base64Decode(text);
    if (!der || der->empty()) {
        throw RpcError(protocol::words::InvalidParams,
                       "params." + name + " must be PEM or base64 DER");
    }
    return std::move(*der);
}

class RenewalMethodsImpl : public RenewalMethods {
  public:
    RenewalMethodsImpl(TokenDirectory& tokens, renewal::Authorizer& authorizer,
                       std::filesystem::path journalDir, Limits limits)
        : tokens_(tokens),
          authorizer_(authorizer),
          manager_(std::move(journalDir)),
          maxDocument_(
              std::min(limits.maxDocumentBytes, renewal::RenewalManager::kMaxDocumentBytes)) {}

    void addTo(MethodTable& table) override {
        table.add(
            names::RenewalBegin,
            [this](const RequestContext& context, const nlohmann::json& params) -> MethodPlan {
                ParamReader p(params);
                p.allowOnly({"certificate", "keyType"});
                const auto certificate = p.uri("certificate");
                const auto keyName = p.optionalString("keyType", 32);
                const auto keyType =
                    keyName ? pkcs11::parseKeyType(*keyName) : pkcs11::kDefaultKeyType;
                return planOnToken(tokens_.workerFor(certificate), context.requestId,
                                   [this, certificate, keyType, context](pkcs11::Token& token) {
                                       return manager_.begin(token, authorizer_, context.origin,
                                                             certificate, keyType);
                                   });
            });
        table.add(
            names::RenewalProvePossession,
            [this](const RequestContext& context, const nlohmann::json& params) -> MethodPlan {
                ParamReader p(params);
                p.allowOnly({"renewalId", "nonce"});
                const auto id = p.identifier("renewalId");
                const auto nonce = p.base64("nonce", 16, 256);
                return planOnToken(workerOf(id), context.requestId,
                                   [this, id, nonce, context](pkcs11::Token& token) {
                                       return manager_.provePossession(token, authorizer_,
                                                                       context.origin, id, nonce);
                                   });
            });
        table.add(
            names::RenewalSignLetter,
            [this](const RequestContext& context, const nlohmann::json& params) -> MethodPlan {
                ParamReader p(params);
                p.allowOnly({"renewalId", "stage", "document", "fileName"});
                const auto id = p.identifier("renewalId");
                const auto stage = p.string("stage", 16);
                if (stage != "acceptance" && stage != "terms") {
                    throw RpcError(protocol::words::InvalidParams,
                                   "params.stage must be acceptance or terms");
                }
                const auto fileName = p.fileName("fileName");
                auto document =
                    std::make_shared<const pkcs11::Bytes>(p.base64("document", 1, maxDocument_));
                return planOnToken(
                    workerOf(id), context.requestId,
                    [this, id, stage, fileName, document, context](pkcs11::Token& token) {
                        return manager_.signLetter(token, authorizer_, context.origin, id, stage,
                                                   *document, fileName);
                    });
            });
        table.add(
            names::RenewalInstallCertificate,
            [this](const RequestContext& context, const nlohmann::json& params) -> MethodPlan {
                ParamReader p(params);
                p.allowOnly({"renewalId", "certificate", "chain"});
                const auto id = p.identifier("renewalId");
                auto certificate = certificateBytes(p.raw("certificate"), "certificate");
                std::vector<pkcs11::Bytes> chain;
                if (p.has("chain") && !p.raw("chain").is_null()) {
                    const auto& list = p.raw("chain");
                    if (!list.is_array() || list.size() > kMaxChainLength) {
                        throw RpcError(protocol::words::InvalidParams,
                                       "params.chain must be a list of at most " +
                                           std::to_string(kMaxChainLength) + " certificates");
                    }
                    for (const auto& c : list) chain.push_back(certificateBytes(c, "chain[]"));
                }
                return planOnToken(workerOf(id), context.requestId,
                                   [this, id, certificate = std::move(certificate),
                                    chain = std::move(chain), context](pkcs11::Token& token) {
                                       return manager_.installCertificate(token, authorizer_,
                                                                          context.origin, id,
                                                                          certificate, chain);
                                   });
            });
        table.add(
            names::RenewalStatus,
            [this](const RequestContext& context, const nlohmann::json& params) -> MethodPlan {
                ParamReader p(params);
                p.allowOnly({"renewalId"});
                std::optional<std::string> id;
                if (p.has("renewalId") && !p.raw("renewalId").is_null())
                    id = p.identifier("renewalId");
                MethodPlan plan;
                // Reads the journal kept in memory: no token involved. A site sees only the
                // renewals it began: one portal must not learn where else a person renews, nor
                // their data. The CLI and our extension's own pages (its popup, as the dispatcher
                // decided) see them all; another extension's page, even one the person allowed,
                // sees only its own.
                const std::string origin = context.origin;
                const bool seesAll = origin == kLocalOrigin || context.ownExtensionPage;
                plan.execute = [this, id, origin, seesAll](Completion done) {
                    try {
                        auto status = manager_.status(id);
                        if (!seesAll) {
                            auto mine = [&](const nlohmann::json& r) {
                                return r.is_object() && r.value("origin", std::string()) == origin;
                            };
                            if (id && !mine(status))
                                throw pkcs11::Error(pkcs11::Reason::RenewalState,
                                                    "No existe la renovación " + *id + ".");
                            if (!id && status.contains("renewals")) {
                                auto kept = nlohmann::json::array();
                                for (auto& r : status["renewals"])
                                    if (mine(r)) kept.push_back(r);
                                status["renewals"] = kept;
                            }
                        }
                        done(Outcome::success(std::move(status)));
                    } catch (const std::exception& e) {
                        done(Outcome::failure(RpcError::from(e)));
                    }
                };
                return plan;
            });
        table.add(
            names::RenewalFinish,
            [this](const RequestContext& context, const nlohmann::json& params) -> MethodPlan {
                ParamReader p(params);
                p.allowOnly({"renewalId", "retireOld"});
                const auto id = p.identifier("renewalId");
                const bool retireOld = p.has("retireOld") ? p.boolean("retireOld") : false;
                return planOnToken(workerOf(id), context.requestId,
                                   [this, id, retireOld, context](pkcs11::Token& token) {
                                       return manager_.finish(token, authorizer_, context.origin,
                                                              id, retireOld);
                                   });
            });
        table.add(
            names::RenewalCancel,
            [this](const RequestContext& context, const nlohmann::json& params) -> MethodPlan {
                ParamReader p(params);
                p.allowOnly({"renewalId"});
                const auto id = p.identifier("renewalId");
                return planOnToken(
                    workerOf(id), context.requestId, [this, id, context](pkcs11::Token& token) {
                        return manager_.cancel(token, authorizer_, context.origin, id);
                    });
            });
    }

    void trustIssuers(
        const std::map<std::string, std::vector<std::filesystem::path>>& files) override {
        for (const auto& [origin, paths] : files) {
            std::vector<pkcs11::Bytes> certificates;
            for (const auto& path : paths) {
                std::ifstream in(path, std::ios::binary);
                std::ostringstream bytes;
                bytes << in.rdbuf();
                if (!in)
                    throw std::runtime_error("cannot read the CA certificate " + path.string());
                const std::string text = bytes.str();
                certificates.emplace_back(text.begin(), text.end());
            }
            try {
                manager_.trustIssuers(origin, std::move(certificates));
            } catch (const pkcs11::Error& e) {
                throw std::runtime_error("renewal.trustedIssuers for " + origin +
                                         ": a file is not a certificate (" + e.what() + ")");
            }
        }
    }

    void requireConfirmedProvenance(bool required) override {
        manager_.requireConfirmedProvenance(required);
    }

    std::vector<std::string> unfinishedRenewals() const override { return manager_.unfinished(); }

  private:
    std::shared_ptr<TokenWorker> workerOf(const std::string& renewalId) {
        return tokens_.workerFor(manager_.tokenOf(renewalId));
    }

    TokenDirectory& tokens_;
    renewal::Authorizer& authorizer_;
    renewal::RenewalManager manager_;
    std::size_t maxDocument_;
};

}  // namespace

std::unique_ptr<RenewalMethods> RenewalMethods::create(TokenDirectory& tokens,
                                                       renewal::Authorizer& authorizer,
                                                       std::filesystem::path journalDir,
                                                       Limits limits) {
    return std::make_unique<RenewalMethodsImpl>(tokens, authorizer, std::move(journalDir), limits);
}

}  // namespace firmante::agent
