#include "firmante/portal/Pki.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <ctime>
#include <stdexcept>

namespace firmante::portal {

std::string drainOpenSslErrors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out;
}

void throwOpenSsl(const std::string& what) {
    std::string errors = drainOpenSslErrors();
    throw std::runtime_error(errors.empty() ? what : what + ": " + errors);
}

BioPtr readOnlyBio(const void* data, size_t size) {
    BioPtr bio(BIO_new_mem_buf(data, static_cast<int>(size)));
    if (!bio) throwOpenSsl("BIO_new_mem_buf");
    return bio;
}

std::vector<unsigned char> bioBytes(BIO* bio) {
    BUF_MEM* mem = nullptr;
    BIO_get_mem_ptr(bio, &mem);
    if (!mem) return {};
    return {reinterpret_cast<unsigned char*>(mem->data),
            reinterpret_cast<unsigned char*>(mem->data) + mem->length};
}

X509Ptr parseCertificate(const Bytes& derOrPem) {
    const unsigned char* p = derOrPem.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(derOrPem.size())));
    if (cert && p == derOrPem.data() + derOrPem.size()) return cert;
    ERR_clear_error();
    auto bio = readOnlyBio(derOrPem.data(), derOrPem.size());
    cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) throwOpenSsl("not a DER or PEM certificate");
    return cert;
}

std::string certificatePem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) throwOpenSsl("PEM_write_bio_X509");
    auto bytes = bioBytes(bio.get());
    return {bytes.begin(), bytes.end()};
}

namespace {

// The DER of `object` through OpenSSL's i2d function `encode` (named `name` in errors).
template <typename T, typename Encode>
Bytes derOf(T* object, Encode encode, const char* name) {
    int len = encode(object, nullptr);
    if (len <= 0) throwOpenSsl(name);
    Bytes out(static_cast<size_t>(len));
    unsigned char* p = out.data();
    encode(object, &p);
    return out;
}

}  // namespace

Bytes certificateDer(X509* cert) {
    return derOf(cert, i2d_X509, "i2d_X509");
}

Bytes spkiDer(EVP_PKEY* key) {
    return derOf(key, i2d_PUBKEY, "i2d_PUBKEY");
}

EvpPkeyPtr parseSpki(const Bytes& der) {
    const unsigned char* p = der.data();
    EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!key || p != der.data() + der.size()) throwOpenSsl("not a DER SubjectPublicKeyInfo");
    return key;
}

std::string spkiHex(const Bytes& der) {
    const unsigned char* p = der.data();
    X509PubkeyPtr pub(d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!pub) throwOpenSsl("not a DER SubjectPublicKeyInfo");
    const unsigned char* key = nullptr;
    int keyLen = 0;
    if (X509_PUBKEY_get0_param(nullptr, &key, &keyLen, nullptr, pub.get()) != 1)
        throwOpenSsl("X509_PUBKEY_get0_param");
    // Rebuild the BIT STRING TLV: contents = unused-bits byte (0) + key bytes.
    size_t contentLen = static_cast<size_t>(keyLen) + 1;
    Bytes tlv{0x03};
    if (contentLen < 0x80) {
        tlv.push_back(static_cast<unsigned char>(contentLen));
    } else {
        Bytes len;
        for (size_t n = contentLen; n > 0; n >>= 8) len.insert(len.begin(), n & 0xff);
        tlv.push_back(static_cast<unsigned char>(0x80 | len.size()));
        tlv.insert(tlv.end(), len.begin(), len.end());
    }
    tlv.push_back(0x00);
    tlv.insert(tlv.end(), key, key + keyLen);
    return hexEncode(tlv, " ");
}

std::string spkiHexWrapped(const Bytes& der, size_t pairsPerLine) {
    std::string flat = spkiHex(der);
    std::string out;
    size_t pairs = 0;
    for (size_t i = 0; i < flat.size(); i += 3) {
        if (pairs > 0) out += (pairs % pairsPerLine == 0) ? '\n' : ' ';
        out += flat.substr(i, 2);
        ++pairs;
    }
    return out;
}

std::string spkiFingerprint(const Bytes& spkiDer) {
    const std::string hex = hexEncode(sha256(spkiDer));
    std::string out;
    for (size_t i = 0; i < hex.size(); i += 4) out += (i ? " " : "") + hex.substr(i, 4);
    return out;
}

Bytes originBoundMessage(std::string_view origin, const Bytes& nonce) {
    Bytes message = sha256(origin);
    Bytes n = sha256(nonce);
    message.insert(message.end(), n.begin(), n.end());
    return message;
}

bool verifyOriginBound(EVP_PKEY* key, std::string_view algorithm, std::string_view origin,
                       const Bytes& nonce, const Bytes& signature) {
    const EVP_MD* md = nullptr;
    int baseId = EVP_PKEY_get_base_id(key);
    if (algorithm == "RS256" && baseId == EVP_PKEY_RSA) {
        md = EVP_sha256();
    } else if (algorithm == "ES256" && baseId == EVP_PKEY_EC) {
        md = EVP_sha256();
    } else if (algorithm == "ES384" && baseId == EVP_PKEY_EC) {
        md = EVP_sha384();
    } else {
        return false;
    }
    Bytes message = originBoundMessage(origin, nonce);
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) != 1) {
        ERR_clear_error();
        return false;
    }
    if (baseId == EVP_PKEY_RSA) EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
    int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                              message.size());
    ERR_clear_error();
    return rc == 1;
}

std::string nameEntry(X509_NAME* name, int nid) {
    int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0) return {};
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) return {};
    std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

std::string nameToString(X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    auto bytes = bioBytes(bio.get());
    return {bytes.begin(), bytes.end()};
}

std::chrono::system_clock::time_point asn1TimeToTimePoint(const ASN1_TIME* t) {
    struct tm tm {};
    if (ASN1_TIME_to_tm(t, &tm) != 1) throwOpenSsl("ASN1_TIME_to_tm");
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string utcTime(std::chrono::system_clock::time_point t, const char* format) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    struct tm tm {};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

std::string isoTime(std::chrono::system_clock::time_point t) {
    return utcTime(t, "%Y-%m-%dT%H:%M:%SZ");
}

std::string serialHex(X509* cert) {
    BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
    if (!bn) throwOpenSsl("ASN1_INTEGER_to_BN");
    char* hex = BN_bn2hex(bn.get());
    std::string out(hex);
    OPENSSL_free(hex);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace firmante::portal
