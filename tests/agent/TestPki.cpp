#include "TestPki.h"

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <stdexcept>

#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Secret.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/testing/AlwaysAuthenticate.h"

namespace firmante::agent::testing {

namespace {

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("OpenSSL failed: ") + what);
}

pkcs11::X509Ptr makeCertificate(EVP_PKEY* subjectKey, EVP_PKEY* issuerKey, X509* issuer,
                                const std::string& commonName, std::chrono::hours notBefore,
                                std::chrono::hours notAfter, bool ca) {
    pkcs11::X509Ptr cert(X509_new());
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    static long serial = 1000;
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial + std::time(nullptr) % 100000);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                    std::chrono::duration_cast<std::chrono::seconds>(notBefore).count());
    X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                    std::chrono::duration_cast<std::chrono::seconds>(notAfter).count());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("Firmante Tests"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
    check(X509_set_pubkey(cert.get(), subjectKey) == 1, "X509_set_pubkey");
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
    auto add = [&](int nid, const char* value) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        check(ext != nullptr, "X509V3_EXT_conf_nid");
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
    };
    add(NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add(NID_key_usage,
        ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation");
    add(NID_subject_key_identifier, "hash");
    check(X509_sign(cert.get(), issuerKey, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

}  // namespace

TestCa::TestCa() {
    key_.reset(EVP_EC_gen("P-256"));
    check(key_ != nullptr, "EVP_EC_gen");
    cert_ = makeCertificate(key_.get(), key_.get(), nullptr, "Firmante Test CA",
                            std::chrono::hours(-24 * 3650), std::chrono::hours(24 * 3650), true);
}

pkcs11::Bytes TestCa::issue(std::span<const unsigned char> spki, const std::string& commonName,
                            std::chrono::hours notBefore, std::chrono::hours notAfter) const {
    auto publicKey = pkcs11::publicKeyFromSpki(spki);
    auto cert = makeCertificate(publicKey.get(), key_.get(), cert_.get(), commonName, notBefore,
                                notAfter, false);
    return pkcs11::certificateDer(cert.get());
}

void TestCa::writePem(const std::filesystem::path& path) const {
    FILE* f = std::fopen(path.c_str(), "w");
    check(f != nullptr, "fopen");
    PEM_write_X509(f, cert_.get());
    std::fclose(f);
}

ProvisionedCertificate provisionCertificate(const firmante::testing::SoftHsmToken& hsm,
                                            const TestCa& ca, const std::string& label,
                                            pkcs11::KeyType type, bool expired) {
    const auto day = std::chrono::hours(24);
    return expired ? provisionCertificate(hsm, ca, label, type, -1 * day)
                   : provisionCertificate(hsm, ca, label, type, 365 * day);
}

ProvisionedCertificate provisionCertificate(const firmante::testing::SoftHsmToken& hsm,
                                            const TestCa& ca, const std::string& label,
                                            pkcs11::KeyType type, std::chrono::hours validFor) {
    auto module = pkcs11::Module::load(firmante::testing::SoftHsmToken::modulePath());
    ProvisionedCertificate out;
    {
        auto token = pkcs11::Token::open(module, hsm.label());
        token.login(pkcs11::Secret(firmante::testing::SoftHsmToken::kUserPin));
        auto key = token.generateKeyPair(type, label);
        const auto day = std::chrono::hours(24);
        // An expired one began long ago, as the demo's does.
        out.der = validFor.count() < 0 ? ca.issue(key.spki, label, -800 * day, validFor)
                                       : ca.issue(key.spki, label, -1 * day, validFor);
        auto stored = token.storeCertificate(out.der, label);
        out.uri = stored.uri.str();
        out.spki = key.spki;
        token.logout();
    }
    return out;
}

ProvisionedCertificate provisionAlwaysAuthenticateCertificate(
    const firmante::testing::SoftHsmToken& hsm, const TestCa& ca, const std::string& label) {
    auto module = pkcs11::Module::load(firmante::testing::SoftHsmToken::modulePath());
    ProvisionedCertificate out;
    {
        auto token = pkcs11::Token::open(module, hsm.label());
        token.login(pkcs11::Secret(firmante::testing::SoftHsmToken::kUserPin));
        auto key = firmante::testing::generateAlwaysAuthenticateKey(token, label, true, {0x5a});
        const auto day = std::chrono::hours(24);
        out.der = ca.issue(key.spki, label, -1 * day, 365 * day);
        auto stored = token.storeCertificate(out.der, label);
        out.uri = stored.uri.str();
        out.spki = key.spki;
        token.logout();
    }
    return out;
}

firmante::testing::ProcessResult opensslCmsVerify(const TestCa& ca,
                                                  const std::filesystem::path& dir,
                                                  std::span<const unsigned char> content,
                                                  std::span<const unsigned char> cms,
                                                  bool ignoreTime) {
    const auto file = [&](const char* name, std::span<const unsigned char> bytes) {
        const auto path = (dir / name).string();
        firmante::testing::writeFile(path, std::string(bytes.begin(), bytes.end()));
        return path;
    };
    const auto anchor = dir / "ca.pem";
    ca.writePem(anchor);
    std::vector<std::string> argv{"openssl",  "cms",
                                  "-verify",  "-binary",
                                  "-inform",  "DER",
                                  "-in",      file("signature.p7s", cms),
                                  "-content", file("signed-content", content),
                                  "-CAfile",  anchor.string(),
                                  "-out",     "/dev/null"};
    if (ignoreTime) argv.push_back("-no_check_time");
    return firmante::testing::run(argv);
}

}  // namespace firmante::agent::testing
