#include "firmante/testing/TestCa.h"

#include <memory>
#include <stdexcept>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Csr.h"

namespace firmante::testing {

namespace {

void need(int ok, const char* what) {
    if (ok <= 0) throw std::runtime_error(std::string("test CA: ") + what + " failed");
}

void addExtension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    need(ext != nullptr, "X509V3_EXT_conf_nid");
    const int added = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    need(added, "X509_add_ext");
}

void setTime(ASN1_TIME* field, TestCa::Clock::time_point when) {
    need(ASN1_TIME_set(field, TestCa::Clock::to_time_t(when)) != nullptr, "ASN1_TIME_set");
}

// A certificate with version 3, a random positive 128-bit serial, the validity and the names set.
pkcs11::X509Ptr newCertificate(X509_NAME* subject, X509_NAME* issuer, EVP_PKEY* publicKey,
                               TestCa::Clock::time_point notBefore,
                               TestCa::Clock::time_point notAfter) {
    pkcs11::X509Ptr cert(X509_new());
    need(cert != nullptr, "X509_new");
    X509* c = cert.get();
    need(X509_set_version(c, 2), "version");
    unsigned char raw[16];
    need(RAND_bytes(raw, sizeof raw), "RAND_bytes");
    raw[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(raw, sizeof raw, nullptr);
    need(bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) != nullptr, "serial");
    BN_free(bn);
    setTime(X509_getm_notBefore(c), notBefore);
    setTime(X509_getm_notAfter(c), notAfter);
    need(X509_set_subject_name(c, subject), "subject");
    need(X509_set_issuer_name(c, issuer), "issuer");
    need(X509_set_pubkey(c, publicKey), "pubkey");
    return cert;
}

pkcs11::EvpPkeyPtr generateKey(pkcs11::KeyType type) {
    const pkcs11::KeyTraits& traits = pkcs11::traitsOf(type);
    pkcs11::EvpPkeyPtr key(traits.keyType == CKK_EC
                               ? EVP_EC_gen(std::string(traits.curveName).c_str())
                               : EVP_RSA_gen(static_cast<unsigned>(traits.bits)));
    need(key != nullptr, "key generation");
    return key;
}

}  // namespace

TestCa::TestCa(const std::string& name)
    : key_(generateKey(pkcs11::KeyType::EcP256)), pemPath_(dir_ / "ca.pem") {
    const auto now = Clock::now();
    const auto tenYears = std::chrono::hours(24 * 3650);
    const pkcs11::X509NamePtr subject = pkcs11::parseDistinguishedName(name);
    cert_ =
        newCertificate(subject.get(), subject.get(), key_.get(), now - tenYears, now + tenYears);
    X509* c = cert_.get();
    addExtension(c, c, NID_basic_constraints, "critical,CA:TRUE");
    addExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
    addExtension(c, c, NID_subject_key_identifier, "hash");
    need(X509_sign(c, key_.get(), EVP_sha256()), "X509_sign");

    const pkcs11::BioPtr out(BIO_new_file(pemPath_.c_str(), "w"));
    need(out != nullptr, "BIO_new_file");
    need(PEM_write_bio_X509(out.get(), c), "PEM_write_bio_X509");
}

pkcs11::Bytes TestCa::certificateDer() const {
    return pkcs11::certificateDer(cert_.get());
}

pkcs11::X509Ptr TestCa::sign(X509_NAME* subject, EVP_PKEY* publicKey, Clock::time_point notBefore,
                             Clock::time_point notAfter) const {
    pkcs11::X509Ptr cert =
        newCertificate(subject, X509_get_subject_name(cert_.get()), publicKey, notBefore, notAfter);
    X509* c = cert.get();
    addExtension(c, cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
    addExtension(c, cert_.get(), NID_key_usage, "critical,digitalSignature,nonRepudiation");
    addExtension(c, cert_.get(), NID_subject_key_identifier, "hash");
    addExtension(c, forgedIssuer_ ? forgedIssuer_ : cert_.get(), NID_authority_key_identifier,
                 "keyid:always");
    need(X509_sign(c, key_.get(), EVP_sha256()), "X509_sign");
    return cert;
}

pkcs11::Bytes TestCa::issue(std::span<const unsigned char> spki, const std::string& subject,
                            Clock::time_point notBefore, Clock::time_point notAfter) const {
    const pkcs11::EvpPkeyPtr publicKey = pkcs11::publicKeyFromSpki(spki);
    const pkcs11::X509NamePtr name = pkcs11::parseDistinguishedName(subject);
    return pkcs11::certificateDer(sign(name.get(), publicKey.get(), notBefore, notAfter).get());
}

pkcs11::Bytes TestCa::issue(std::span<const unsigned char> spki, const std::string& subject) const {
    const auto now = Clock::now();
    return issue(spki, subject, now - std::chrono::hours(1), now + std::chrono::hours(24 * 365));
}

pkcs11::Bytes TestCa::issueFromCsr(const std::string& csrPem) const {
    const pkcs11::BioPtr in(BIO_new_mem_buf(csrPem.data(), static_cast<int>(csrPem.size())));
    const pkcs11::OpenSslPtr<X509_REQ, X509_REQ_free> req(
        PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr));
    need(req != nullptr, "PEM_read_bio_X509_REQ");
    const pkcs11::EvpPkeyPtr publicKey(X509_REQ_get_pubkey(req.get()));
    need(publicKey != nullptr, "X509_REQ_get_pubkey");
    need(X509_REQ_verify(req.get(), publicKey.get()), "X509_REQ_verify");
    const auto now = Clock::now();
    return pkcs11::certificateDer(sign(X509_REQ_get_subject_name(req.get()), publicKey.get(),
                                       now - std::chrono::minutes(5),
                                       now + std::chrono::hours(24 * 365))
                                      .get());
}

pkcs11::Bytes TestCa::makePfx(const std::string& subject, const std::string& password,
                              pkcs11::KeyType type) const {
    const pkcs11::EvpPkeyPtr key = generateKey(type);
    const pkcs11::X509NamePtr name = pkcs11::parseDistinguishedName(subject);
    const auto now = Clock::now();
    const pkcs11::X509Ptr cert = sign(name.get(), key.get(), now - std::chrono::hours(1),
                                      now + std::chrono::hours(24 * 365));
    const pkcs11::OpenSslPtr<PKCS12, PKCS12_free> p12(
        PKCS12_create(password.c_str(), "test key", key.get(), cert.get(), nullptr, 0, 0, 0, 0, 0));
    need(p12 != nullptr, "PKCS12_create");
    return pkcs11::toDer(p12.get(), i2d_PKCS12, "i2d_PKCS12");
}

}  // namespace firmante::testing
