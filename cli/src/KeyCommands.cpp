// keygen, csr: a new key on the token and a request for its certificate.
#include <openssl/x509.h>

#include "CliError.h"
#include "Commands.h"
#include "Encoding.h"
#include "Messages.h"
#include "TokenSession.h"
#include "firmante/pkcs11/Csr.h"
#include "firmante/views/Json.h"

namespace firmante::cli {
namespace {

std::string oneLine(const X509_NAME* name) {
    pkcs11::BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

nlohmann::json runKeygen(const Arguments& args) {
    auto type = pkcs11::parseKeyType(args.required("type"));
    auto label = args.required("label");
    TokenSession session(args);
    session.token().requireKeyType(type);  // before the PIN: a refusal costs the person nothing
    session.login(tr("op.keygen", {std::string(pkcs11::keyTypeName(type)), label}));
    auto key = session.token().generateKeyPair(type, label);
    return {{"token", views::tokenJson(session.info())}, {"key", views::keyJson(key)}};
}

nlohmann::json runCsr(const Arguments& args) {
    auto keyUri = pkcs11::Uri::parse(args.required("key"));
    auto subject = pkcs11::parseDistinguishedName(args.required("subject"));
    auto out = args.required("out");
    std::string pem;
    pkcs11::KeyInfo key;
    {
        TokenSession session(args, keyUri);
        session.login(tr("op.csr", {oneLine(subject.get())}));
        key = session.token().key(keyUri);
        auto privateKey = session.token().privateKey(key);  // freed before the session
        pem = pkcs11::makeCsrPem(privateKey.get(), subject.get());
    }
    writeOutputFile(out, pem);
    return {{"out", out},
            {"key", key.uri.str()},
            {"subject", oneLine(subject.get())},
            {"algorithm", key.algorithm},
            {"csr", pem}};
}

}  // namespace firmante::cli
