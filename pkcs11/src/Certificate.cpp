#include "firmante/pkcs11/Certificate.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "firmante/pkcs11/Error.h"

namespace firmante::pkcs11 {

namespace {

std::chrono::system_clock::time_point toTimePoint(const ASN1_TIME* t) {
    struct tm tm {};
    if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string nameToString(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, n);
}

}  // namespace

X509Ptr decodeCertificate(std::span<const unsigned char> in) {
    if (in.size() > 64 * 1024) throw Error(Reason::TooLarge, "certificate larger than 64 KiB");
    const unsigned char* p = in.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(in.size())));
    if (cert && p == in.data() + in.size()) return cert;
    cert.reset();
    BioPtr bio(BIO_new_mem_buf(in.data(), static_cast<int>(in.size())));
    cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) throwOpenSsl(Reason::InvalidParams, "not an X.509 certificate (DER or PEM)");
    ERR_clear_error();
    return cert;
}

Bytes certificateDer(const X509* cert) {
    return toDer(cert, i2d_X509, "i2d_X509");
}

Bytes publicKeySpki(const EVP_PKEY* key) {
    return toDer(key, i2d_PUBKEY, "i2d_PUBKEY");
}

EvpPkeyPtr publicKeyFromSpki(std::span<const unsigned char> spki) {
    const unsigned char* p = spki.data();
    EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
    if (!key) throwOpenSsl(Reason::InvalidParams, "not a SubjectPublicKeyInfo");
    return key;
}

CertificateInfo describeCertificate(const X509* cert) {
    CertificateInfo info;
    info.der = certificateDer(cert);
    info.subject = nameToString(X509_get_subject_name(cert));
    info.issuer = nameToString(X509_get_issuer_name(cert));
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* hex = BN_bn2hex(bn);
    info.serialHex = hex;
    OPENSSL_free(hex);
    BN_free(bn);
    info.notBefore = toTimePoint(X509_get0_notBefore(cert));
    info.notAfter = toTimePoint(X509_get0_notAfter(cert));
    auto now = std::chrono::system_clock::now();
    info.expired = now > info.notAfter || now < info.notBefore;
    info.spki = publicKeySpki(X509_get0_pubkey(cert));
    info.spkiSha256Hex = toHex(sha256(info.spki));
    return info;
}

CertificateInfo describeCertificate(std::span<const unsigned char> derOrPem) {
    return describeCertificate(decodeCertificate(derOrPem).get());
}

std::string spkiHex(std::span<const unsigned char> spki) {
    // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT
    // STRING } Walk the DER by hand: only tag/length headers are read, never values we interpret.
    auto readHeader = [&](std::size_t pos, unsigned char tag, std::size_t& headerLen,
                          std::size_t& len) {
        if (pos + 2 > spki.size() || spki[pos] != tag)
            throw Error(Reason::InvalidParams, "malformed SubjectPublicKeyInfo");
        unsigned char l = spki[pos + 1];
        if (l < 0x80) {
            headerLen = 2;
            len = l;
        } else {
            std::size_t n = l & 0x7f;
            if (n == 0 || n > 4 || pos + 2 + n > spki.size())
                throw Error(Reason::InvalidParams, "malformed SubjectPublicKeyInfo");
            len = 0;
            for (std::size_t i = 0; i < n; ++i) len = (len << 8) | spki[pos + 2 + i];
            headerLen = 2 + n;
        }
        if (pos + headerLen + len > spki.size())
            throw Error(Reason::InvalidParams, "malformed SubjectPublicKeyInfo");
    };
    std::size_t h, len;
    readHeader(0, 0x30, h, len);
    std::size_t pos = h;
    readHeader(pos, 0x30, h, len);  // AlgorithmIdentifier
    pos += h + len;
    readHeader(pos, 0x03, h, len);  // BIT STRING
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = pos; i < pos + h + len; ++i) {
        if (!out.empty()) out.push_back(' ');
        out.push_back(digits[spki[i] >> 4]);
        out.push_back(digits[spki[i] & 15]);
    }
    return out;
}

std::string toHex(std::span<const unsigned char> bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

Bytes sha256(std::span<const unsigned char> bytes) {
    Bytes out(SHA256_DIGEST_LENGTH);
    SHA256(bytes.data(), bytes.size(), out.data());
    return out;
}

Bytes sha1(std::span<const unsigned char> bytes) {
    Bytes out(SHA_DIGEST_LENGTH);
    SHA1(bytes.data(), bytes.size(), out.data());
    return out;
}

}  // namespace firmante::pkcs11
