// auth.sign_challenge and documents.sign: one signature each, after the person's PIN.
#include "SigningKey.h"
#include "firmante/agent/Base64.h"
#include "firmante/agent/Methods.h"
#include "firmante/agent/ParamReader.h"
#include "firmante/agent/TokenDirectory.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/renewal/LetterCheck.h"

namespace firmante::agent {

namespace names = protocol::methods::names;

void addSigningMethods(MethodTable& table, TokenDirectory& tokens, renewal::Authorizer& authorizer,
                       const Limits& limits) {
    table.add(names::AuthSignChallenge, [&tokens, &authorizer](const RequestContext& context,
                                                               const nlohmann::json& params) {
        ParamReader p(params);
        p.allowOnly({"certificate", "nonce"});
        const auto uri = p.uri("certificate");
        const auto nonce = p.base64("nonce", 16, 256);
        return planOnToken(
            tokens.workerFor(uri), context.requestId,
            [&authorizer, uri, nonce, context](pkcs11::Token& token) -> nlohmann::json {
                auto certificate = token.certificate(uri, pkcs11::Token::Pairing::CertificateOnly);
                renewal::OperationDescription what;
                what.origin = context.origin;
                what.operation = "Iniciar sesión con su certificado (firmar un reto)";
                what.operationEn = "Log in with your certificate (sign a challenge)";
                what.tokenLabel = token.info().label;
                what.keyLabel = keyLabelOf(certificate);
                what.action = renewal::Action::LogIn;
                authorizer.unlock(token, what);
                auto key = signingKey(token, certificate);
                // The origin is the transport's, never one the page sent (DESIGN §2).
                auto signature = pkcs11::signChallenge(key.get(), context.origin, nonce);
                return {{"signature", base64Encode(signature.signature)},
                        {"algorithm", signature.algorithm},
                        {"certificate", base64Encode(certificate.der)}};
            });
    });

    table.add(names::DocumentsSign, [&tokens, &authorizer, &limits](const RequestContext& context,
                                                                    const nlohmann::json& params) {
        ParamReader p(params);
        p.allowOnly({"certificate", "document", "fileName"});
        const auto uri = p.uri("certificate");
        const auto fileName = p.fileName("fileName");
        auto document =
            std::make_shared<const pkcs11::Bytes>(p.base64("document", 1, limits.maxDocumentBytes));
        return planOnToken(tokens.workerFor(uri), context.requestId,
                           [&authorizer, uri, fileName, document,
                            context](pkcs11::Token& token) -> nlohmann::json {
                               auto certificate = documentSigningCertificate(token, uri);
                               // Issue 9 §1: a renewal letter signed here would skip the letter
                               // check.
                               if (renewal::carriesRenewalHeadings(*document)) {
                                   throw RpcError(protocol::words::LetterMismatch,
                                                  "this PDF is a renewal letter; sign it with "
                                                  "renewal.sign_letter, which checks its keys");
                               }
                               const auto digest = pkcs11::toHex(pkcs11::sha256(*document));
                               renewal::OperationDescription what;
                               what.origin = context.origin;
                               // The name is shown on its own line, escaped and shortened, not
                               // here.
                               what.operation = "Firmar el documento";
                               what.operationEn = "Sign the document";
                               what.fileName = fileName;
                               what.documentSha256Hex = digest;
                               what.tokenLabel = token.info().label;
                               what.keyLabel = keyLabelOf(certificate);
                               authorizer.unlock(token, what);
                               auto key = signingKey(token, certificate);
                               auto x509 = pkcs11::decodeCertificate(certificate.der);
                               auto cms = pkcs11::signDetached(key.get(), x509.get(), *document);
                               return {{"cms", base64Encode(cms.der)},
                                       {"documentSha256", pkcs11::toHex(cms.documentSha256)},
                                       {"signer", cms.signerSubject},
                                       {"certificate", base64Encode(certificate.der)}};
                           });
    });
}

}  // namespace firmante::agent
