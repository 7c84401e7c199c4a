#include "firmante/pkcs11/Cms.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/TokenSigner.h"

namespace firmante::pkcs11 {

namespace {

// For stacks whose entries are borrowed: free the stack only. (The sk_ macros are not functions
// OpenSslDeleter could name.)
void freeX509StackOnly(STACK_OF(X509) * s) {
    sk_X509_free(s);
}
void freeAttributeStackOnly(STACK_OF(X509_ATTRIBUTE) * s) {
    sk_X509_ATTRIBUTE_free(s);
}
using BorrowedX509StackPtr = OpenSslPtr<STACK_OF(X509), freeX509StackOnly>;
using SigningCertV2Ptr = OpenSslPtr<ESS_SIGNING_CERT_V2, ESS_SIGNING_CERT_V2_free>;

// CAdES-BES: the signing certificate is bound into the signed attributes (RFC 5035), so the
// signature cannot be re-attributed to another certificate with the same key.
void addSigningCertificateV2(CMS_SignerInfo* si, const X509* cert) {
    SigningCertV2Ptr sc(OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), cert, nullptr, 1));
    if (!sc) throwOpenSsl(Reason::Internal, "cannot build signing-certificate-v2");
    unsigned char* der = nullptr;
    int len = i2d_ESS_SIGNING_CERT_V2(sc.get(), &der);
    if (len <= 0) throwOpenSsl(Reason::Internal, "cannot encode signing-certificate-v2");
    int ok = CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE,
                                         der, len);
    OPENSSL_free(der);
    if (ok != 1) throwOpenSsl(Reason::Internal, "cannot add signing-certificate-v2");
}

// The DER the signature covers: the signed attributes as an explicit SET OF in DER order
// (RFC 5652 §5.4). PKCS7_ATTR_SIGN is OpenSSL's public item with exactly that encoding.
Bytes encodeSignedAttributes(CMS_SignerInfo* si) {
    // The entries are borrowed from the SignerInfo.
    OpenSslPtr<STACK_OF(X509_ATTRIBUTE), freeAttributeStackOnly> attrs(
        sk_X509_ATTRIBUTE_new_null());
    for (int i = 0; i < CMS_signed_get_attr_count(si); ++i)
        if (!attrs || sk_X509_ATTRIBUTE_push(attrs.get(), CMS_signed_get_attr(si, i)) <= 0)
            throwOpenSsl(Reason::Internal, "cannot collect the signed attributes");
    unsigned char* der = nullptr;
    int len = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(attrs.get()), &der,
                            ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
    if (len <= 0) throwOpenSsl(Reason::Internal, "cannot encode the signed attributes");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

std::string subjectOf(const X509* cert) {
    return describeCertificate(cert).subject;
}

CmsPtr decodeCms(std::span<const unsigned char> signature) {
    if (signature.size() > 16 * 1024 * 1024)
        throw Error(Reason::TooLarge, "signature larger than 16 MiB");
    const unsigned char* p = signature.data();
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(signature.size())));
    if (cms) return cms;
    BioPtr bio(BIO_new_mem_buf(signature.data(), static_cast<int>(signature.size())));
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) == 1) {
        const unsigned char* q = data;
        cms.reset(d2i_CMS_ContentInfo(nullptr, &q, len));
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (!cms) throwOpenSsl(Reason::SignatureInvalid, "not a CMS signature (DER or PEM)");
    ERR_clear_error();
    return cms;
}

}  // namespace

CmsSignature signDetached(EVP_PKEY* key, const X509* certificate,
                          std::span<const unsigned char> document,
                          const std::vector<X509*>& chain) {
    if (X509_check_private_key(certificate, key) != 1) {
        ERR_clear_error();
        throw Error(Reason::CertificateMismatch, "the certificate does not belong to this key");
    }
    const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
    CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
    if (!cms) throwOpenSsl(Reason::Internal, "CMS_sign");
    CMS_SignerInfo* si =
        CMS_add1_signer(cms.get(), const_cast<X509*>(certificate), key, EVP_sha256(), flags);
    if (si == nullptr) throwOpenSsl(Reason::Internal, "CMS_add1_signer");
    addSigningCertificateV2(si, certificate);
    for (X509* c : chain)
        if (CMS_add1_cert(cms.get(), c) != 1) throwOpenSsl(Reason::Internal, "CMS_add1_cert");
    // The signed attributes are ours to compute (RFC 5652 §5.4: content type, message digest,
    // signing time), and their DER is signed through signData, so a token key signs on the token
    // with a mechanism it offers; CMS_final would ask libp11 for CKM_RSA_PKCS instead.
    Bytes digest = sha256(document);
    ASN1_TIME* signingTime = X509_gmtime_adj(nullptr, 0);
    if (signingTime == nullptr ||
        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                    OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, signingTime->type, signingTime,
                                    -1) != 1 ||
        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest.data(),
                                    static_cast<int>(digest.size())) != 1) {
        ASN1_TIME_free(signingTime);
        throwOpenSsl(Reason::Internal, "cannot add the signed attributes");
    }
    ASN1_TIME_free(signingTime);
    Bytes signedAttributes = encodeSignedAttributes(si);
    Bytes signature = signData(key, EVP_sha256(), signedAttributes);
    if (ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), signature.data(),
                        static_cast<int>(signature.size())) != 1)
        throwOpenSsl(Reason::Internal, "cannot store the signature");
    CmsSignature out;
    out.der = toDer(cms.get(), i2d_CMS_ContentInfo, "i2d_CMS_ContentInfo");
    out.documentSha256 = sha256(document);
    out.signerSubject = subjectOf(certificate);
    return out;
}

CmsVerification verifyDetached(std::span<const unsigned char> document,
                               std::span<const unsigned char> signature,
                               const std::optional<std::string>& caFile, bool ignoreExpiry) {
    CmsPtr cms = decodeCms(signature);
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
        throw Error(Reason::SignatureInvalid, "the CMS object is not SignedData");
    OpenSslPtr<X509_STORE, X509_STORE_free> store(X509_STORE_new());
    unsigned flags = CMS_BINARY;
    if (caFile) {
        if (X509_STORE_load_file(store.get(), caFile->c_str()) != 1)
            throwOpenSsl(Reason::InvalidParams, "cannot read CA file " + *caFile);
        X509_STORE_set_purpose(store.get(), X509_PURPOSE_ANY);
        if (ignoreExpiry) X509_STORE_set_flags(store.get(), X509_V_FLAG_NO_CHECK_TIME);
    } else {
        flags |= CMS_NO_SIGNER_CERT_VERIFY;
    }
    BioPtr content(BIO_new_mem_buf(document.data(), static_cast<int>(document.size())));
    if (CMS_verify(cms.get(), nullptr, store.get(), content.get(), nullptr, flags) != 1)
        throwOpenSsl(Reason::SignatureInvalid, "the signature does not verify");

    CmsVerification out;
    out.chainVerified = caFile.has_value();
    BorrowedX509StackPtr signers(CMS_get0_signers(cms.get()));
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    if (!signers || sk_X509_num(signers.get()) < 1 || sk_CMS_SignerInfo_num(infos) < 1)
        throw Error(Reason::SignatureInvalid, "the signature names no signer certificate");
    // CMS_get0_signers returns borrowed pointers in a new stack: free only the stack.
    X509* signer = sk_X509_value(signers.get(), 0);
    auto described = describeCertificate(signer);
    out.signerCertificate = described.der;
    out.signerSubject = described.subject;
    out.signerSerialHex = described.serialHex;
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);

    int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    if (idx >= 0) {
        X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, idx);
        ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(attr, 0);
        if (t && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME)) {
            struct tm tm {};
            if (ASN1_TIME_to_tm(t->value.utctime, &tm) == 1)
                out.signingTime = std::chrono::system_clock::from_time_t(timegm(&tm));
        }
    }
    idx = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1);
    if (idx >= 0) {
        X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, idx);
        ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(attr, 0);
        if (t && t->type == V_ASN1_SEQUENCE) {
            const unsigned char* p = t->value.sequence->data;
            SigningCertV2Ptr sc(d2i_ESS_SIGNING_CERT_V2(nullptr, &p, t->value.sequence->length));
            STACK_OF(X509)* chain = sk_X509_new_null();
            sk_X509_push(chain, signer);
            out.signingCertificateV2 =
                sc && OSSL_ESS_check_signing_certs(nullptr, sc.get(), chain, 1) == 1;
            sk_X509_free(chain);  // borrowed certificate: free the stack only
            if (!out.signingCertificateV2)
                throw Error(Reason::SignatureInvalid,
                            "signing-certificate-v2 does not name the signer certificate");
        }
    }
    ERR_clear_error();
    return out;
}

}  // namespace firmante::pkcs11
