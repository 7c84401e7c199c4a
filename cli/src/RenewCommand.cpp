// firmante renew --portal URL: the twelve steps of the IMSS renewal manual, headless, against the
// reference portal's JSON API (docs/portal-integration.md), with the token through the agent when
// one runs, else directly. Each step is printed when the portal has accepted it, never before.
#include <iostream>
#include <memory>
#include <optional>
#include <utility>

#include "CliError.h"
#include "Commands.h"
#include "Encoding.h"
#include "Messages.h"
#include "PortalClient.h"
#include "RenewAgentBackend.h"
#include "RenewCommand.h"
#include "RenewDirectBackend.h"
#include "RenewText.h"
#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/protocol/MethodTable.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {
namespace {

// --key-type, or the type renewal.begin generates when none is named.
std::string keyTypeArgument(const Arguments& args) {
    return args.value("key-type")
        .value_or(std::string(pkcs11::keyTypeName(pkcs11::kDefaultKeyType)));
}

using nlohmann::json;

std::string str(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    return it->dump();
}

std::string yesNo(bool b) {
    return b ? tr("yes") : tr("no");
}

// The login user is the subject's UID (docs/portal-integration.md).
std::string uidOf(const std::string& subject) {
    for (std::size_t pos = 0; pos < subject.size();) {
        auto end = subject.find(',', pos);
        if (end == std::string::npos) end = subject.size();
        auto part = subject.substr(pos, end - pos);
        while (!part.empty() && part.front() == ' ') part.erase(0, 1);
        if (part.rfind("UID=", 0) == 0) return part.substr(4);
        pos = end + 1;
    }
    return {};
}

std::string hexPrefix(const std::string& hex, std::size_t pairs = 16) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < pairs && pos != std::string::npos; ++i)
        pos = hex.find(' ', pos + 1);
    return pos == std::string::npos ? hex : hex.substr(0, pos) + " …";
}

// The link is a one-time bearer secret: shown shortened, enough to recognise it in the mailbox.
std::string shortLink(const std::string& link) {
    auto slash = link.rfind('/');
    if (slash == std::string::npos || link.size() - slash < 12) return link;
    return link.substr(0, slash + 9) + "…";
}

std::string pickCertificate(const json& certificates, const std::optional<std::string>& user,
                            json& chosen) {
    for (const auto& c : certificates) {
        if (user && uidOf(str(c, "subject")) != *user) continue;
        // The newest one is the person's current certificate.
        if (chosen.is_null() || str(c, "notAfter") > str(chosen, "notAfter")) chosen = c;
    }
    if (chosen.is_null())
        throw CliError(protocol::words::CertificateNotFound,
                       renewText("noCertificate", {user ? renewText("forUser", {*user}) : ""}));
    return str(chosen, "uri");
}

class Renewal {
  public:
    Renewal(const Arguments& args, PortalClient& portal, RenewBackend& token, std::string header)
        : args_(args),
          portal_(portal),
          token_(token),
          human_(!args.json()),
          header_(std::move(header)) {}

    json run();

  private:
    void report(int step, json facts, const std::string& line) {
        facts["step"] = step;
        steps_.push_back(std::move(facts));
        if (!human_) return;
        // Printed with the first step the portal accepted: a run that fails at once claims nothing.
        if (!header_.empty()) std::cout << std::exchange(header_, {}) << "\n";
        std::cout << line << std::endl;
    }
    json login(const std::string& certificateUri, const std::string& user, int step);

    const Arguments& args_;
    PortalClient& portal_;
    RenewBackend& token_;
    bool human_;
    std::string header_;
    json steps_ = json::array();
};

json Renewal::login(const std::string& certificateUri, const std::string& user, int step) {
    portal_.setSession({});
    auto start = portal_.post("/api/login/start", json::object(), step);
    portal_.setSession(str(start, "session"));
    auto signed_ = token_.call(protocol::methods::names::AuthSignChallenge,
                               {{"certificate", certificateUri}, {"nonce", str(start, "nonce")}});
    return portal_.post("/api/login/finish",
                        {{"user", user},
                         {"certificate", str(signed_, "certificate")},
                         {"signature", str(signed_, "signature")},
                         {"algorithm", str(signed_, "algorithm")}},
                        step);
}

json Renewal::run() {
    const bool retireOld = args_.has("retire-old");
    const std::string keyType = keyTypeArgument(args_);

    // Step 1: the certificate on the token, and the origin-bound login.
    json current;
    std::string certUri;
    if (auto given = args_.value("certificate")) {
        for (const auto& c : token_.certificates(args_.value("token")))
            if (str(c, "uri") == *given) current = c;
        if (current.is_null())
            throw CliError(
                protocol::words::CertificateNotFound,
                std::string(reasonSentence(protocol::words::CertificateNotFound)) + " " + *given);
        certUri = *given;
    } else {
        certUri = pickCertificate(token_.certificates(args_.value("token")), args_.value("user"),
                                  current);
    }
    std::string user = args_.value("user").value_or(uidOf(str(current, "subject")));
    if (user.empty())
        throw CliError(protocol::words::InvalidParams,
                       renewText("noUser", {str(current, "subject")}));
    auto first = login(certUri, user, 1);
    const std::string status = str(first, "status");
    if (status != "RENEWAL_REQUIRED")
        throw CliError(protocol::words::RenewalState,
                       renewText("stillValid", {str(current, "serial"), str(current, "notAfter")}));
    const json oldCert = first.value("certificate", json::object());
    report(1,
           {{"certificate", certUri},
            {"subject", str(oldCert, "subject")},
            {"serial", str(oldCert, "serial")},
            {"notAfter", str(oldCert, "notAfter")},
            {"user", user},
            {"status", status}},
           renewText("step1", {str(oldCert, "serial"), user, str(oldCert, "notAfter"),
                               renewText("expired")}));
    // Step 2: the renewal link.
    report(2, {{"renewalUrl", str(first, "renewalUrl")}, {"message", str(first, "message")}},
           renewText("step2", {str(first, "renewalUrl")}));

    // Step 3: the data on file, the e-mail confirmed (or changed).
    auto data = portal_.get("/api/renewal/data", 3).value("employer", json::object());
    const std::string oldEmail = str(data, "correo");
    const std::string email = args_.value("email").value_or(oldEmail);
    auto updated = portal_
                       .post("/api/renewal/data",
                             {{"email", email},
                              {"emailConfirmation", email},
                              {"phone", str(data, "telefono")},
                              {"fax", str(data, "fax")}},
                             3)
                       .value("employer", json::object());
    const bool emailChanged = str(updated, "correo") != oldEmail;
    report(3,
           {{"razonSocial", str(updated, "razonSocial")},
            {"registroPatronal", str(updated, "registroPatronal")},
            {"rfc", str(updated, "rfc")},
            {"email", str(updated, "correo")},
            {"emailChanged", emailChanged},
            {"previousEmail", oldEmail}},
           renewText("step3", {str(updated, "razonSocial"), str(updated, "registroPatronal"),
                               str(updated, "rfc"), str(updated, "correo"),
                               emailChanged ? renewText("emailChanged", {oldEmail}) : ""}));

    // Step 4: the new key, generated on the token.
    auto begun = token_.call(protocol::methods::names::RenewalBegin,
                             {{"certificate", certUri}, {"keyType", keyType}});
    const std::string renewalId = str(begun, "renewalId");
    auto key = portal_.post("/api/renewal/key",
                            {{"spki", str(begun, "spki")}, {"csr", str(begun, "csr")}}, 4);
    const json attributes = begun.value("keyAttributes", json::object());
    report(4,
           {{"renewalId", renewalId},
            {"keyUri", str(begun, "uri")},
            {"keyType", str(begun, "keyType").empty() ? keyType : str(begun, "keyType")},
            {"spkiHex", str(begun, "spkiHex")},
            {"keyAttributes", attributes},
            {"csrSubjectMatches", key.value("csrSubjectMatches", false)}},
           renewText("step4", {keyType, yesNo(attributes.value("local", false)),
                               yesNo(attributes.value("neverExtractable", false)),
                               hexPrefix(str(begun, "spkiHex"))}));

    // Steps 5–6: letter 1, signed with the expired certificate.
    auto letter1 = portal_.get("/api/renewal/acceptance-letter?format=json", 5);
    report(5,
           {{"fileName", str(letter1, "fileName")},
            {"folio", str(letter1, "folio")},
            {"sha256", str(letter1, "sha256")}},
           renewText("step5",
                     {str(letter1, "fileName"), str(letter1, "folio"), str(letter1, "sha256")}));
    auto cms1 = token_.call(protocol::methods::names::RenewalSignLetter,
                            {{"renewalId", renewalId},
                             {"stage", "acceptance"},
                             {"document", str(letter1, "document")},
                             {"fileName", str(letter1, "fileName")}});
    auto accepted =
        portal_.post("/api/renewal/acceptance-letter/signature", {{"cms", str(cms1, "cms")}}, 6);
    const json verification1 = accepted.value("verification", json::object());
    report(6,
           {{"documentSha256", str(cms1, "documentSha256")},
            {"signer", str(verification1, "signer")},
            {"status", str(accepted, "status")},
            {"verification", verification1}},
           renewText("step6", {str(verification1, "signer")}));

    // Steps 7–8: the e-mail in the portal's outbox, and its one-time link.
    auto message = portal_.get("/api/outbox/" + str(accepted, "messageId"), 7);
    const std::string link = str(message, "link");
    report(7,
           {{"messageId", str(accepted, "messageId")},
            {"sentTo", str(accepted, "sentTo")},
            {"subject", str(message, "subject")}},
           renewText("step7", {str(message, "subject"), str(accepted, "sentTo"),
                               str(accepted, "messageId")}));
    auto opened =
        portal_.post("/api/renewal/link", {{"token", link.substr(link.rfind('/') + 1)}}, 8);
    report(8, {{"link", shortLink(link)}}, renewText("step8", {shortLink(link)}));

    // Step 9: proof of possession with the new key, then the certificate, stored on the token.
    auto proof = token_.call(protocol::methods::names::RenewalProvePossession,
                             {{"renewalId", renewalId}, {"nonce", str(opened, "nonce")}});
    auto issued = portal_.post(
        "/api/renewal/certificate",
        {{"signature", str(proof, "signature")}, {"algorithm", str(proof, "algorithm")}}, 9);
    json installParams{{"renewalId", renewalId}, {"certificate", str(issued, "certificate")}};
    if (!str(issued, "caCertificate").empty())
        installParams["chain"] = json::array({str(issued, "caCertificate")});
    auto installed =
        token_.call(protocol::methods::names::RenewalInstallCertificate, installParams);
    const std::string newUri = str(installed, "uri");
    report(9,
           {{"serial", str(issued, "serial")},
            {"subject", str(issued, "subject")},
            {"notBefore", str(issued, "notBefore")},
            {"notAfter", str(issued, "notAfter")},
            {"uri", newUri}},
           renewText("step9",
                     {str(issued, "serial"), str(issued, "notBefore"), str(issued, "notAfter")}));

    // Steps 10–11: letter 2, signed with the new certificate.
    auto letter2 = portal_.get("/api/renewal/terms-letter?format=json", 10);
    // Both letters carry the same folio; the terms letter's answer may leave it out.
    if (str(letter2, "folio").empty()) letter2["folio"] = str(letter1, "folio");
    report(10,
           {{"fileName", str(letter2, "fileName")},
            {"folio", str(letter2, "folio")},
            {"sha256", str(letter2, "sha256")},
            {"previousLetterSha1", str(letter2, "previousLetterSha1")}},
           renewText("step10",
                     {str(letter2, "fileName"), str(letter2, "folio"), str(letter2, "sha256")}));
    auto cms2 = token_.call(protocol::methods::names::RenewalSignLetter,
                            {{"renewalId", renewalId},
                             {"stage", "terms"},
                             {"document", str(letter2, "document")},
                             {"fileName", str(letter2, "fileName")}});
    auto renewed =
        portal_.post("/api/renewal/terms-letter/signature", {{"cms", str(cms2, "cms")}}, 11);
    // The portal has revoked the old certificate; the token now keeps or retires it.
    auto finished = token_.call(protocol::methods::names::RenewalFinish,
                                {{"renewalId", renewalId}, {"retireOld", retireOld}});
    const bool retired = finished.value("retired", false);
    report(11,
           {{"documentSha256", str(cms2, "documentSha256")},
            {"status", str(renewed, "status")},
            {"revokedSerial", str(renewed, "revokedSerial")},
            {"verification", renewed.value("verification", json::object())},
            {"oldRetired", retired}},
           renewText("step11", {str(renewed, "revokedSerial"),
                                retired ? renewText("retired") : renewText("kept")}));

    // Step 12: a new session, logged in with the new certificate.
    auto last = login(newUri, user, 12);
    if (str(last, "status") != "LOGGED_IN")
        throw CliError(protocol::words::PortalError,
                       renewText("notLoggedIn", {str(last, "status")}));
    report(12,
           {{"status", "LOGGED_IN"}, {"message", str(last, "message")}, {"certificate", newUri}},
           renewText("step12", {str(issued, "serial"), str(last, "message")}));

    return {{"via", token_.via()},
            {"portal", portal_.origin()},
            {"origin", portal_.origin()},
            {"user", user},
            {"renewalId", renewalId},
            {"oldCertificate",
             {{"uri", certUri}, {"serial", str(oldCert, "serial")}, {"retired", retired}}},
            {"newCertificate",
             {{"uri", newUri},
              {"serial", str(issued, "serial")},
              {"notBefore", str(issued, "notBefore")},
              {"notAfter", str(issued, "notAfter")}}},
            {"steps", steps_}};
}

}  // namespace

nlohmann::json runRenew(const Arguments& args) {
    PortalClient portal(args.required("portal"));
    if (args.has("retire-old") && args.has("keep-old"))
        throw CliError(protocol::words::InvalidParams, renewText("retireAndKeep"));
    const std::string keyType = keyTypeArgument(args);
    try {
        (void)pkcs11::parseKeyType(keyType);
    } catch (const std::exception&) {
        throw CliError(protocol::words::InvalidParams,
                       renewText("badKeyType", {keyType, pkcs11::keyTypeNames(
                                                             ", ", " " + renewText("or") + " ")}));
    }
    // The portal first: an unreachable portal costs no token work and no PIN.
    (void)portal.get("/api/health", 1);
    // As for the other verbs: the agent when one runs, unless the arguments ask for the token.
    std::unique_ptr<RenewBackend> token;
    std::string header;
    if (!args.has("direct") && !args.value("pin-fd") && !args.value("module"))
        token = RenewAgentBackend::connect(portal.origin());
    if (token) {
        header = renewText("via.agent", {portal.origin()});
    } else {
        auto direct =
            std::make_unique<RenewDirectBackend>(args, portal.origin(), args.has("retire-old"));
        header = renewText("via.direct", {portal.origin(), direct->tokenLabel()});
        token = std::move(direct);
    }
    return Renewal(args, portal, *token, header).run();
}

std::string renderRenewSummary(const nlohmann::json& r) {
    const auto& cert = r.at("newCertificate");
    return renewText("done", {str(cert, "serial"), str(cert, "notAfter")}) + "\n";
}

}  // namespace firmante::cli
