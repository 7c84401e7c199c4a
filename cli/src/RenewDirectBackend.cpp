#include "RenewDirectBackend.h"

#ifdef FIRMANTE_CLI_HAVE_SPDLOG
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#endif

#include "CliError.h"
#include "Encoding.h"
#include "JournalPath.h"
#include "ModuleSelection.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/MethodTable.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/views/Json.h"

namespace firmante::cli {
namespace {

// The renewal library logs each journal step on its "renewal" logger (the agent's log file). Here
// stdout carries the steps for the person (or the one JSON document): only warnings, on stderr.
void quietRenewalLog() {
#ifdef FIRMANTE_CLI_HAVE_SPDLOG
    if (spdlog::get("renewal")) return;
    auto logger = std::make_shared<spdlog::logger>(
        "renewal", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_level(spdlog::level::warn);
    spdlog::register_logger(logger);
#endif
}

pkcs11::Bytes decoded(const nlohmann::json& params, const char* name) {
    return base64Decode(params.at(name).get<std::string>());
}

// Logged out however the signature ends, as the renewal library does after each operation.
struct Logout {
    pkcs11::Token& token;
    ~Logout() { token.logout(); }
};

}  // namespace

RenewDirectBackend::RenewDirectBackend(const Arguments& args, std::string origin, bool retireOld)
    : origin_(std::move(origin)),
      authorizer_(args.descriptor("pin-fd"), retireOld),
      renewals_((quietRenewalLog(), journalDir())),
      session_(args) {
    renewals_.requireConfirmedProvenance(configuredRequireConfirmedProvenance());
}

nlohmann::json RenewDirectBackend::certificates(const std::optional<std::string>&) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : session_.token().certificates()) list.push_back(views::certificateJson(c));
    return list;
}

nlohmann::json RenewDirectBackend::signChallenge(const nlohmann::json& params) {
    auto& token = session_.token();
    auto uri = pkcs11::Uri::parse(params.at("certificate").get<std::string>());
    auto nonce = decoded(params, "nonce");
    // Before the PIN, so a wrong URI costs no PIN entry; the key after login (keyOf).
    auto cert = token.certificate(uri, pkcs11::Token::Pairing::CertificateOnly);
    renewal::OperationDescription what;
    what.origin = origin_;
    what.operation = "Ingresar al portal con el certificado";
    what.operationEn = "Log in to the portal with the certificate";
    what.tokenLabel = session_.info().label;
    what.keyLabel = cert.label;
    authorizer_.unlock(token, what);
    Logout logout{token};
    auto key = [&] {  // keys are visible only after login
        try {
            return token.keyOf(cert);
        } catch (const pkcs11::Error& e) {
            if (e.reason() != pkcs11::Reason::KeyNotFound) throw;
            throw pkcs11::Error(pkcs11::Reason::KeyNotFound,
                                "el certificado no tiene su llave privada en el token");
        }
    }();
    auto privateKey = token.privateKey(key);
    auto signature = pkcs11::signChallenge(privateKey.get(), origin_, nonce);
    return {{"signature", base64(signature.signature)},
            {"algorithm", signature.algorithm},
            {"certificate", base64(cert.der)}};
}

nlohmann::json RenewDirectBackend::call(const std::string& method, const nlohmann::json& p) {
    auto& token = session_.token();
    if (method == protocol::methods::names::AuthSignChallenge) return signChallenge(p);
    if (method == protocol::methods::names::RenewalBegin)
        return renewals_.begin(token, authorizer_, origin_,
                               pkcs11::Uri::parse(p.at("certificate").get<std::string>()),
                               pkcs11::parseKeyType(p.at("keyType").get<std::string>()));
    const auto id = p.at("renewalId").get<std::string>();
    if (method == protocol::methods::names::RenewalSignLetter)
        return renewals_.signLetter(token, authorizer_, origin_, id,
                                    p.at("stage").get<std::string>(), decoded(p, "document"),
                                    p.at("fileName").get<std::string>());
    if (method == protocol::methods::names::RenewalProvePossession)
        return renewals_.provePossession(token, authorizer_, origin_, id, decoded(p, "nonce"));
    if (method == protocol::methods::names::RenewalInstallCertificate) {
        const auto& pem = p.at("certificate").get_ref<const std::string&>();
        std::vector<pkcs11::Bytes> chain;
        for (const auto& c : p.value("chain", nlohmann::json::array())) {
            const auto& text = c.get_ref<const std::string&>();
            chain.emplace_back(text.begin(), text.end());
        }
        return renewals_.installCertificate(token, authorizer_, origin_, id,
                                            pkcs11::Bytes(pem.begin(), pem.end()), chain);
    }
    if (method == protocol::methods::names::RenewalFinish)
        return renewals_.finish(token, authorizer_, origin_, id, p.value("retireOld", false));
    throw CliError(protocol::words::Internal, "unknown renewal call " + method);
}

}  // namespace firmante::cli
