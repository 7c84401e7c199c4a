#include "TestCa.h"

#include <stdexcept>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Csr.h"

namespace firmante::renewal::testing {

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
    need(X509_add_ext(cert, ext, -1), "X509_add_ext");
    X509_EXTENSION_free(ext);
}

void setTime(ASN1_TIME* field, std::chrono::system_clock::time_point when) {
    need(ASN1_TIME_set(field, std::chrono::system_clock::to_time_t(when)) != nullptr,
         "ASN1_TIME_set");
}

void randomSerial(X509* cert) {
    unsigned char raw[16];
    need(RAND_bytes(raw, sizeof raw), "RAND_bytes");
    raw[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(raw, sizeof raw, nullptr);
    need(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr, "serial");
    BN_free(bn);
}
}  // namespace

TestCa::TestCa(const std::filesystem::path& dir, const std::string& subject)
    : pemPath_(dir / "ca.pem") {
    key_.reset(EVP_EC_gen("P-256"));
    need(key_ != nullptr, "EVP_EC_gen");
    cert_.reset(X509_new());
    X509* c = cert_.get();
    need(X509_set_version(c, 2), "version");
    randomSerial(c);
    const auto now = std::chrono::system_clock::now();
    setTime(X509_getm_notBefore(c), now - std::chrono::hours(24 * 365 * 5));
    setTime(X509_getm_notAfter(c), now + std::chrono::hours(24 * 365 * 5));
    const pkcs11::X509NamePtr name = pkcs11::parseDistinguishedName(subject);
    need(X509_set_subject_name(c, name.get()), "subject");
    need(X509_set_issuer_name(c, name.get()), "issuer");
    need(X509_set_pubkey(c, key_.get()), "pubkey");
    addExtension(c, c, NID_basic_constraints, "critical,CA:TRUE");
    addExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
    addExtension(c, c, NID_subject_key_identifier, "hash");
    need(X509_sign(c, key_.get(), EVP_sha256()), "X509_sign");

    BIO* out = BIO_new_file(pemPath_.c_str(), "w");
    need(out != nullptr, "BIO_new_file");
    const int written = PEM_write_bio_X509(out, c);
    BIO_free(out);
    need(written, "PEM_write_bio_X509");
}

pkcs11::Bytes TestCa::certificateDer() const {
    return pkcs11::certificateDer(cert_.get());
}

pkcs11::Bytes TestCa::sign(X509_NAME* subject, EVP_PKEY* publicKey,
                           std::chrono::system_clock::time_point notBefore,
                           std::chrono::system_clock::time_point notAfter) const {
    pkcs11::X509Ptr cert(X509_new());
    X509* c = cert.get();
    need(X509_set_version(c, 2), "version");
    randomSerial(c);
    setTime(X509_getm_notBefore(c), notBefore);
    setTime(X509_getm_notAfter(c), notAfter);
    need(X509_set_subject_name(c, subject), "subject");
    need(X509_set_issuer_name(c, X509_get_subject_name(cert_.get())), "issuer");
    need(X509_set_pubkey(c, publicKey), "pubkey");
    addExtension(c, cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
    addExtension(c, cert_.get(), NID_key_usage, "critical,digitalSignature,nonRepudiation");
    addExtension(c, cert_.get(), NID_subject_key_identifier, "hash");
    addExtension(c, forgedIssuer_ ? forgedIssuer_ : cert_.get(), NID_authority_key_identifier,
                 "keyid:always");
    need(X509_sign(c, key_.get(), EVP_sha256()), "X509_sign");
    return pkcs11::certificateDer(c);
}

pkcs11::Bytes TestCa::issue(std::span<const unsigned char> spki, const std::string& subject,
                            std::chrono::system_clock::time_point notBefore,
                            std::chrono::system_clock::time_point notAfter) const {
    const pkcs11::EvpPkeyPtr publicKey = pkcs11::publicKeyFromSpki(spki);
    const pkcs11::X509NamePtr name = pkcs11::parseDistinguishedName(subject);
    return sign(name.get(), publicKey.get(), notBefore, notAfter);
}

pkcs11::Bytes TestCa::issueFromCsr(const std::string& csrPem) const {
    pkcs11::BioPtr in(BIO_new_mem_buf(csrPem.data(), static_cast<int>(csrPem.size())));
    X509_REQ* req = PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr);
    need(req != nullptr, "PEM_read_bio_X509_REQ");
    std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> owner(req, &X509_REQ_free);
    pkcs11::EvpPkeyPtr publicKey(X509_REQ_get_pubkey(req));
    need(publicKey != nullptr, "X509_REQ_get_pubkey");
    need(X509_REQ_verify(req, publicKey.get()), "X509_REQ_verify");
    const auto now = std::chrono::system_clock::now();
    return sign(X509_REQ_get_subject_name(req), publicKey.get(), now - std::chrono::minutes(5),
                now + std::chrono::hours(24 * 365));
}

}  // namespace firmante::renewal::testing
