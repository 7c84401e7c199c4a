#include "firmante/pkcs11/Csr.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/TokenSigner.h"

namespace firmante::pkcs11 {

namespace {

void addEntry(X509_NAME* name, const std::string& field, const std::string& value) {
    if (field.empty())
        throw Error(Reason::InvalidParams, "distinguished name: attribute without a name");
    if (X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
        ERR_clear_error();
        throw Error(Reason::InvalidParams,
                    "distinguished name: unknown attribute or bad value for \"" + field + "\"");
    }
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(' ');
    auto e = s.find_last_not_of(' ');
    return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

}  // namespace

X509NamePtr parseDistinguishedName(std::string_view text) {
    if (text.size() > 4096) throw Error(Reason::TooLarge, "distinguished name longer than 4 KiB");
    X509NamePtr name(X509_NAME_new());
    if (text.empty()) throw Error(Reason::InvalidParams, "empty distinguished name");
    // "/CN=a/O=b" (OpenSSL's -subj form) uses '/' as separator; otherwise RFC 4514's ','.
    const bool slashForm = text.front() == '/';
    const char sep = slashForm ? '/' : ',';
    std::string field, value, *cur = &field;
    bool any = false;
    auto flush = [&] {
        std::string f = trim(field), v = slashForm ? value : trim(value);
        if (!f.empty() || !v.empty()) {
            addEntry(name.get(), f, v);
            any = true;
        }
        field.clear();
        value.clear();
        cur = &field;
    };
    for (std::size_t i = slashForm ? 1 : 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            cur->push_back(text[++i]);
        } else if (c == sep) {
            flush();
        } else if (c == '=' && cur == &field) {
            cur = &value;
        } else if (!slashForm && c == '+') {
            throw Error(Reason::InvalidParams, "multi-valued RDNs are not supported");
        } else {
            cur->push_back(c);
        }
    }
    flush();
    if (!any) throw Error(Reason::InvalidParams, "empty distinguished name");
    return name;
}

std::string makeCsrPem(EVP_PKEY* key, const X509_NAME* subject) {
    OpenSslPtr<X509_REQ, X509_REQ_free> req(X509_REQ_new());
    if (!req || X509_REQ_set_version(req.get(), 0) != 1 ||
        X509_REQ_set_subject_name(req.get(), subject) != 1 ||
        X509_REQ_set_pubkey(req.get(), key) != 1)
        throwOpenSsl(Reason::Internal, "cannot build the certificate request");
    // The to-be-signed part is signed through signData, so that a token key signs on the token
    // with the mechanism it offers (libp11's fixed CKM_RSA_PKCS fails on tpm2-pkcs11).
    int mdNid = NID_sha256;
    int sigNid = NID_undef;
    if (OBJ_find_sigid_by_algs(&sigNid, mdNid, EVP_PKEY_get_base_id(key)) != 1)
        throw Error(Reason::MechanismInvalid, "no signature algorithm for this key type");
    OpenSslPtr<X509_ALGOR, X509_ALGOR_free> alg(X509_ALGOR_new());
    // RFC 4055: sha256WithRSAEncryption carries NULL parameters; RFC 5758: ECDSA carries none.
    const bool rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
    if (!alg ||
        X509_ALGOR_set0(alg.get(), OBJ_nid2obj(sigNid), rsa ? V_ASN1_NULL : V_ASN1_UNDEF,
                        nullptr) != 1 ||
        X509_REQ_set1_signature_algo(req.get(), alg.get()) != 1)
        throwOpenSsl(Reason::Internal, "cannot set the request's signature algorithm");
    unsigned char* tbs = nullptr;
    int tbsLen = i2d_re_X509_REQ_tbs(req.get(), &tbs);
    if (tbsLen <= 0) throwOpenSsl(Reason::Internal, "cannot encode the certificate request");
    Bytes toSign(tbs, tbs + tbsLen);
    OPENSSL_free(tbs);
    Bytes signature = signData(key, EVP_sha256(), toSign);
    ASN1_BIT_STRING* bits = ASN1_BIT_STRING_new();
    if (bits == nullptr ||
        ASN1_BIT_STRING_set(bits, signature.data(), static_cast<int>(signature.size())) != 1) {
        ASN1_BIT_STRING_free(bits);
        throwOpenSsl(Reason::Internal, "cannot store the request's signature");
    }
    bits->flags &= ~0x07;
    bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;  // no unused bits
    X509_REQ_set0_signature(req.get(), bits);
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509_REQ(bio.get(), req.get());
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, n);
}

}  // namespace firmante::pkcs11
