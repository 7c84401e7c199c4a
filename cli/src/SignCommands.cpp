// sign, verify: detached CMS (CAdES-BES) signatures of files.
#include <filesystem>
#include <iostream>

#include "CliError.h"
#include "Commands.h"
#include "Encoding.h"
#include "Messages.h"
#include "TokenSession.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/protocol/ReasonEnums.h"
#include "firmante/views/Json.h"

namespace firmante::cli {

void refuseExpiredUnlessAllowed(const Arguments& args, const pkcs11::CertificateInfo& cert) {
    if (!cert.expired) return;
    if (!args.has("allow-expired"))
        throw CliError(protocol::words::CertificateExpired,
                       tr("sign.expired", {shownSubject(cert.subject)}));
    std::cerr << tr("sign.expiredWarning", {shownSubject(cert.subject)}) << std::endl;
}

pkcs11::KeyInfo keyOfOrRefuse(pkcs11::Token& token, const pkcs11::CertificateInfo& cert) {
    try {
        return token.keyOf(cert);
    } catch (const pkcs11::Error& e) {
        if (e.reason() != pkcs11::Reason::KeyNotFound) throw;
        throw CliError(protocol::words::KeyNotFound, tr("sign.noKey", {cert.uri.str()}));
    }
}

nlohmann::json runSign(const Arguments& args) {
    if (args.values("in").size() > 1) return runSignBatch(args);
    if (args.value("out-dir"))
        throw CliError(protocol::words::InvalidParams, tr("signBatch.outDirOne"));
    if (auto agent = agentFor(args)) return signViaAgent(args, *agent);
    auto certUri = pkcs11::Uri::parse(args.required("cert"));
    auto in = args.required("in");
    auto out = args.required("out");
    auto document = readInputFile(in);
    auto documentSha256 = pkcs11::toHex(pkcs11::sha256(document));
    auto fileName = std::filesystem::path(in).filename().string();

    pkcs11::CmsSignature signature;
    pkcs11::CertificateInfo cert;
    {
        TokenSession session(args, certUri);
        // Look the certificate up before asking for the PIN, so a typo costs no PIN entry; its
        // key only after login (tokens that hide private keys pair it only then): two finds in
        // all, each of which SoftHSM pays for every object on the token.
        cert = session.token().certificate(certUri, pkcs11::Token::Pairing::CertificateOnly);
        refuseExpiredUnlessAllowed(args, cert);
        session.login(
            tr("op.sign", {shownFileName(fileName), documentSha256, shownSubject(cert.subject)}));
        auto key = keyOfOrRefuse(session.token(), cert);
        auto x509 = pkcs11::decodeCertificate(cert.der);
        auto privateKey = session.token().privateKey(key);  // freed before the session
        signature = pkcs11::signDetached(privateKey.get(), x509.get(), document);
    }
    writeOutputFile(out, signature.der);
    return {{"via", "direct"},
            {"out", out},
            {"in", in},
            {"fileName", fileName},
            {"documentSha256", documentSha256},
            {"signer", signature.signerSubject},
            {"certificate", cert.uri.str()},
            {"size", signature.der.size()}};
}

nlohmann::json runVerify(const Arguments& args) {
    auto in = args.required("in");
    auto sigPath = args.required("sig");
    auto ca = args.value("ca");
    auto document = readInputFile(in);
    auto signature = readInputFile(sigPath);
    auto result = pkcs11::verifyDetached(document, signature, ca, args.has("ignore-expiry"));
    return {{"valid", true},
            {"in", in},
            {"sig", sigPath},
            {"documentSha256", pkcs11::toHex(pkcs11::sha256(document))},
            {"signer", result.signerSubject},
            {"signerSerial", result.signerSerialHex},
            {"signingTime", result.signingTime ? nlohmann::json(views::isoTime(*result.signingTime))
                                               : nlohmann::json()},
            {"signingCertificateV2", result.signingCertificateV2},
            {"chainVerified", result.chainVerified},
            {"ca", ca ? nlohmann::json(*ca) : nlohmann::json()},
            {"signerCertificate", base64(result.signerCertificate)}};
}

}  // namespace firmante::cli
