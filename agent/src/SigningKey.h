#pragma once

#include "firmante/agent/RpcError.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

// The key behind a certificate, looked up after login: many tokens hide private keys (and so
// the certificate↔key pairing) until the PIN is given. One find by CKA_ID (Token::keyOf), not a
// second certificate lookup.
inline pkcs11::KeyInfo signingKeyInfo(pkcs11::Token& token,
                                      const pkcs11::CertificateInfo& certificate) {
    try {
        return token.keyOf(certificate);
    } catch (const pkcs11::Error& e) {
        if (e.reason() != pkcs11::Reason::KeyNotFound) throw;
        throw RpcError(protocol::words::KeyNotFound,
                       "no private key on the token matches the certificate");
    }
}

inline pkcs11::EvpPkeyPtr signingKey(pkcs11::Token& token,
                                     const pkcs11::CertificateInfo& certificate) {
    return token.privateKey(signingKeyInfo(token, certificate));
}

// The certificate a document is signed with: found without its key (before the PIN) and refused
// when outside its validity period.
inline pkcs11::CertificateInfo documentSigningCertificate(pkcs11::Token& token,
                                                          const pkcs11::Uri& uri) {
    auto certificate = token.certificate(uri, pkcs11::Token::Pairing::CertificateOnly);
    if (certificate.expired) {
        throw RpcError(protocol::words::CertificateExpired,
                       "documents are signed only with a valid certificate; "
                       "this one is outside its validity period");
    }
    return certificate;
}

inline std::string keyLabelOf(const pkcs11::CertificateInfo& certificate) {
    return certificate.label.empty() ? certificate.subject : certificate.label;
}

}  // namespace firmante::agent
