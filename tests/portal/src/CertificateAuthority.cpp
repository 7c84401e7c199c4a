#include "firmante/portal/CertificateAuthority.h"

#include "firmante/portal/Codec.h"
#include "firmante/portal/Pki.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <sys/stat.h>
#include <fstream>
#include <stdexcept>

namespace firmante::portal {

namespace fs = std::filesystem;

namespace {

using std::chrono::system_clock;

void setTime(ASN1_TIME* field, system_clock::time_point t) {
    if (!ASN1_TIME_set(field, system_clock::to_time_t(t))) throwOpenSsl("ASN1_TIME_set");
}

void addExtension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) throwOpenSsl(std::string("extension ") + OBJ_nid2sn(nid));
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

void setRandomSerial(X509* cert) {
    Bytes serial = randomBytes(16);
    serial[0] &= 0x7f;  // positive
    serial[0] |= 0x40;  // and always 16 bytes long
    BignumPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)))
        throwOpenSsl("serial number");
}

void writeFileAtomically(const fs::path& path, const std::string& data, mode_t mode) {
    fs::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write " + tmp.string());
        ::chmod(tmp.c_str(), mode);
        out << data;
        if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
    }
    fs::rename(tmp, path);
}

std::string pemOf(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
        throwOpenSsl("PEM_write_bio_PrivateKey");
    auto bytes = bioBytes(bio.get());
    return {bytes.begin(), bytes.end()};
}

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

CertificateAuthority CertificateAuthority::openOrCreate(const fs::path& stateDir) {
    fs::create_directories(stateDir);
    const fs::path keyPath = stateDir / "ca-key.pem";
    const fs::path certPath = stateDir / "ca-cert.pem";
    if (fs::exists(keyPath) && fs::exists(certPath)) {
        std::string keyPem = readFile(keyPath);
        std::string certPem = readFile(certPath);
        auto keyBio = readOnlyBio(keyPem.data(), keyPem.size());
        EvpPkeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
        if (!key) throwOpenSsl("cannot load " + keyPath.string());
        X509Ptr cert = parseCertificate(Bytes(certPem.begin(), certPem.end()));
        return {std::move(key), std::move(cert)};
    }

    EvpPkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) throwOpenSsl("EVP_EC_gen");
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    setRandomSerial(cert.get());
    X509NamePtr name(X509_NAME_new());
    X509_NAME_add_entry_by_txt(name.get(), "C", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("MX"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(
        name.get(), "O", MBSTRING_UTF8,
        reinterpret_cast<const unsigned char*>("Instituto Mexicano del Seguro Social (DEMO)"), -1,
        -1, 0);
    X509_NAME_add_entry_by_txt(
        name.get(), "CN", MBSTRING_UTF8,
        reinterpret_cast<const unsigned char*>("Autoridad Certificadora IDSE de prueba (Firmante)"),
        -1, -1, 0);
    X509_set_subject_name(cert.get(), name.get());
    X509_set_issuer_name(cert.get(), name.get());
    auto now = system_clock::now();
    setTime(X509_getm_notBefore(cert.get()), now - std::chrono::hours(24 * 3653));
    setTime(X509_getm_notAfter(cert.get()), now + std::chrono::hours(24 * 3653 * 2));
    X509_set_pubkey(cert.get(), key.get());
    addExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    addExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
    if (!X509_sign(cert.get(), key.get(), EVP_sha256())) throwOpenSsl("X509_sign (CA)");

    writeFileAtomically(keyPath, pemOf(key.get()), 0600);
    writeFileAtomically(certPath, firmante::portal::certificatePem(cert.get()), 0644);
    return {std::move(key), std::move(cert)};
}

std::string CertificateAuthority::certificatePem() const {
    return firmante::portal::certificatePem(cert_.get());
}

X509Ptr CertificateAuthority::issue(X509_NAME* subject, EVP_PKEY* publicKey,
                                    system_clock::time_point notBefore,
                                    system_clock::time_point notAfter) const {
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    setRandomSerial(cert.get());
    X509_set_subject_name(cert.get(), subject);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert_.get()));
    setTime(X509_getm_notBefore(cert.get()), notBefore);
    setTime(X509_getm_notAfter(cert.get()), notAfter);
    if (X509_set_pubkey(cert.get(), publicKey) != 1) throwOpenSsl("X509_set_pubkey");
    addExtension(cert.get(), cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
    addExtension(cert.get(), cert_.get(), NID_key_usage,
                 "critical,digitalSignature,nonRepudiation");
    addExtension(cert.get(), cert_.get(), NID_subject_key_identifier, "hash");
    addExtension(cert.get(), cert_.get(), NID_authority_key_identifier, "keyid:always");
    if (!X509_sign(cert.get(), key_.get(), EVP_sha256())) throwOpenSsl("X509_sign");
    return cert;
}

X509StorePtr CertificateAuthority::trustStore() const {
    X509StorePtr store(X509_STORE_new());
    if (!store || X509_STORE_add_cert(store.get(), cert_.get()) != 1)
        throwOpenSsl("X509_STORE_add_cert");
    return store;
}

bool CertificateAuthority::verifyChain(X509* cert, bool checkTime, std::string* error) const {
    X509StorePtr store = trustStore();
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr) != 1)
        throwOpenSsl("X509_STORE_CTX_init");
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    if (!checkTime) X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_ANY);
    int rc = X509_verify_cert(ctx.get());
    if (rc != 1 && error)
        *error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    return rc == 1;
}

}  // namespace firmante::portal
