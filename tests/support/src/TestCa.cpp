#include "firmante/testing/TestCa.h"

#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace firmante::testing {

namespace {

X509_NAME* parseSlashName(const std::string& s) {
    X509_NAME* name = X509_NAME_new();
    std::size_t pos = 1;
    while (pos < s.size()) {
        auto next = s.find('/', pos);
        std::string part =
            s.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        auto eq = part.find('=');
        if (eq == std::string::npos) throw std::runtime_error("bad subject " + s);
        X509_NAME_add_entry_by_txt(name, part.substr(0, eq).c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(part.c_str() + eq + 1),
                                   -1, -1, 0);
        if (next == std::string::npos) break;
        pos = next + 1;
    }
    return name;
}

void addExt(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

X509* makeCert(EVP_PKEY* subjectKey, X509_NAME* subject, X509* issuerCert, X509_NAME* issuerName,
               EVP_PKEY* issuerKey, long from, long to, bool ca) {
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert), from);
    X509_gmtime_adj(X509_getm_notAfter(cert), to);
    X509_set_subject_name(cert, subject);
    X509_set_issuer_name(cert, issuerName);
    X509_set_pubkey(cert, subjectKey);
    X509* iss = issuerCert ? issuerCert : cert;
    if (ca) {
        addExt(cert, iss, NID_basic_constraints, "critical,CA:TRUE");
        addExt(cert, iss, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        addExt(cert, iss, NID_key_usage, "critical,digitalSignature,nonRepudiation");
    }
    addExt(cert, iss, NID_subject_key_identifier, "hash");
    if (!X509_sign(cert, issuerKey, EVP_sha256())) throw std::runtime_error("X509_sign failed");
    return cert;
}

}  // namespace

struct TestCa::Impl {
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    ~Impl() {
        EVP_PKEY_free(key);
        X509_free(cert);
    }
};

TestCa::TestCa(const std::string& commonName) : impl_(new Impl), dir_("firmante-ca") {
    impl_->key = EVP_RSA_gen(2048);
    X509_NAME* name = parseSlashName("/CN=" + commonName + "/O=Firmante Tests/C=MX");
    impl_->cert = makeCert(impl_->key, name, nullptr, name, impl_->key, -3600L * 24 * 3650,
                           3600L * 24 * 3650, true);
    X509_NAME_free(name);
    pemPath_ = (dir_ / "ca.pem").string();
    FILE* f = std::fopen(pemPath_.c_str(), "w");
    PEM_write_X509(f, impl_->cert);
    std::fclose(f);
}

TestCa::~TestCa() {
    delete impl_;
}

std::vector<unsigned char> TestCa::issue(const std::vector<unsigned char>& spki,
                                         const std::string& subject,
                                         std::chrono::seconds notBeforeOffset,
                                         std::chrono::seconds notAfterOffset) {
    const unsigned char* p = spki.data();
    EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size()));
    if (!pub) throw std::runtime_error("TestCa::issue: bad SPKI");
    X509_NAME* name = parseSlashName(subject);
    X509* cert = makeCert(pub, name, impl_->cert, X509_get_subject_name(impl_->cert), impl_->key,
                          static_cast<long>(notBeforeOffset.count()),
                          static_cast<long>(notAfterOffset.count()), false);
    X509_NAME_free(name);
    EVP_PKEY_free(pub);
    int n = i2d_X509(cert, nullptr);
    std::vector<unsigned char> der(n);
    unsigned char* q = der.data();
    i2d_X509(cert, &q);
    X509_free(cert);
    return der;
}

std::string TestCa::makePfx(const std::string& subject, const std::string& password, bool ec,
                            bool expired) {
    EVP_PKEY* key = ec ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
    X509_NAME* name = parseSlashName(subject);
    long from = expired ? -3600L * 24 * 800 : -3600L;
    long to = expired ? -3600L * 24 * 400 : 3600L * 24 * 365;
    X509* cert = makeCert(key, name, impl_->cert, X509_get_subject_name(impl_->cert), impl_->key,
                          from, to, false);
    X509_NAME_free(name);
    PKCS12* p12 = PKCS12_create(password.c_str(), "legacy", key, cert, nullptr, 0, 0, 0, 0, 0);
    BIO* bio = BIO_new(BIO_s_mem());
    i2d_PKCS12_bio(bio, p12);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, n);
    BIO_free(bio);
    PKCS12_free(p12);
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
}

}  // namespace firmante::testing
