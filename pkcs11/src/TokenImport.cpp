// Token: storing a certificate next to its key, and importing a PKCS#12 file.
#include "firmante/pkcs11/Token.h"

#include "TokenInternal.h"

#include <algorithm>
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pkcs12.h>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/pkcs11/Mechanisms.h"
#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/OpenSslBridge.h"
#include "firmante/pkcs11/TokenSigner.h"

namespace firmante::pkcs11 {

using namespace internal;

CertificateInfo Token::storeCertificate(std::span<const unsigned char> bytes,
                                        const std::string& label) {
    auto cert = decodeCertificate(bytes);
    auto described = describeCertificate(cert.get());
    for (auto& existing : certificates())
        if (existing.der == described.der) return existing;
    const KeyInfo* owner = nullptr;
    auto all = keys();
    for (auto& k : all)
        if (!k.spki.empty() && k.spki == described.spki) owner = &k;
    if (owner == nullptr)
        throw Error(Reason::CertificateMismatch,
                    "the certificate's public key matches no private key on the token" +
                        std::string(loggedIn() ? "" : " (private keys are hidden until login)"));
    std::string certLabel = label.empty() ? owner->label : label;
    Bytes subject = toDer(X509_get_subject_name(cert.get()), i2d_X509_NAME, "i2d_X509_NAME");
    Bytes issuer = toDer(X509_get_issuer_name(cert.get()), i2d_X509_NAME, "i2d_X509_NAME");
    Bytes serial = toDer(X509_get0_serialNumber(cert.get()), i2d_ASN1_INTEGER, "i2d_ASN1_INTEGER");
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE ctype = CKC_X_509;
    session_->createObject({attr(CKA_CLASS, &cls), attr(CKA_CERTIFICATE_TYPE, &ctype),
                            attr(CKA_TOKEN, &kTrue), attr(CKA_PRIVATE, &kFalse),
                            attrBytes(CKA_ID, owner->id.data(), owner->id.size()),
                            attrBytes(CKA_LABEL, certLabel.data(), certLabel.size()),
                            attrBytes(CKA_SUBJECT, subject.data(), subject.size()),
                            attrBytes(CKA_ISSUER, issuer.data(), issuer.size()),
                            attrBytes(CKA_SERIAL_NUMBER, serial.data(), serial.size()),
                            attrBytes(CKA_VALUE, described.der.data(), described.der.size())});
    for (auto& c : certificates())
        if (c.der == described.der) return c;
    throw Error(Reason::Internal, "the stored certificate cannot be read back");
}

ImportedPkcs12 Token::importPkcs12(std::span<const unsigned char> pfx, Secret password,
                                   const std::string& label) {
    if (pfx.size() > 1024 * 1024) throw Error(Reason::TooLarge, "PKCS#12 file larger than 1 MiB");
    if (!loggedIn()) throw Error(Reason::NotLoggedIn, "log in to the token before importing");
    const unsigned char* p = pfx.data();
    OpenSslPtr<PKCS12, PKCS12_free> p12(d2i_PKCS12(nullptr, &p, static_cast<long>(pfx.size())));
    if (!p12) throwOpenSsl(Reason::InvalidParams, "not a PKCS#12 (.pfx) file");
    const char* pass = password.c_str();
    if (PKCS12_mac_present(p12.get()) &&
        PKCS12_verify_mac(p12.get(), pass, static_cast<int>(password.size())) != 1) {
        ERR_clear_error();
        throw Error(Reason::PasswordIncorrect, "the .pfx password is incorrect",
                    "PKCS12_verify_mac");
    }
    EVP_PKEY* rawKey = nullptr;
    X509* rawCert = nullptr;
    STACK_OF(X509)* ca = nullptr;
    int ok = PKCS12_parse(p12.get(), pass, &rawKey, &rawCert, &ca);
    password.clear();
    EvpPkeyPtr pkey(rawKey);
    X509Ptr cert(rawCert);
    sk_X509_pop_free(ca, X509_free);
    if (ok != 1) throwOpenSsl(Reason::PasswordIncorrect, "cannot open the .pfx file");
    if (!pkey || !cert)
        throw Error(Reason::InvalidParams, "the .pfx file holds no private key and certificate");
    if (X509_check_private_key(cert.get(), pkey.get()) != 1)
        throwOpenSsl(Reason::CertificateMismatch, "the .pfx key does not match its certificate");

    auto described = describeCertificate(cert.get());
    std::string keyLabel = label;
    if (keyLabel.empty()) {
        // The certificate's CN is what a person recognises.
        X509_NAME* name = X509_get_subject_name(cert.get());
        int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
        if (idx >= 0) {
            unsigned char* utf8 = nullptr;
            int n = ASN1_STRING_to_UTF8(&utf8,
                                        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
            if (n > 0) keyLabel.assign(reinterpret_cast<char*>(utf8), n);
            OPENSSL_free(utf8);
        }
        if (keyLabel.empty()) keyLabel = "Importado";
    }

    CK_OBJECT_CLASS privCls = CKO_PRIVATE_KEY, pubCls = CKO_PUBLIC_KEY;
    // The same sign-only template as keygen: one definition, so the two cannot drift apart.
    std::vector<CK_ATTRIBUTE> priv = signOnlyPrivateKeyTemplate(keyLabel, true);
    priv.push_back(attr(CKA_CLASS, &privCls));
    std::vector<CK_ATTRIBUTE> pub = publicKeyTemplate(keyLabel, true);
    pub.push_back(attr(CKA_CLASS, &pubCls));
    CK_KEY_TYPE keyType;
    Bytes id, pubA, pubB;
    std::vector<SecureBytes> secrets;
    auto getBn = [&](const char* name) {
        BIGNUM* bn = nullptr;
        if (EVP_PKEY_get_bn_param(pkey.get(), name, &bn) != 1)
            throwOpenSsl(Reason::InvalidParams, std::string("the .pfx key lacks ") + name);
        return BnPtr(bn);
    };
    if (EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_RSA) {
        keyType = CKK_RSA;
        pubA = bnBytes(getBn(OSSL_PKEY_PARAM_RSA_N).get());
        pubB = bnBytes(getBn(OSSL_PKEY_PARAM_RSA_E).get());
        id = sha1(pubA);
        struct Part {
            CK_ATTRIBUTE_TYPE type;
            const char* name;
        } parts[] = {{CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D},
                     {CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1},
                     {CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2},
                     {CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
                     {CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
                     {CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
        secrets.reserve(std::size(parts));
        priv.push_back(attrBytes(CKA_MODULUS, pubA.data(), pubA.size()));
        priv.push_back(attrBytes(CKA_PUBLIC_EXPONENT, pubB.data(), pubB.size()));
        for (auto& part : parts) {
            secrets.push_back(secureBnBytes(getBn(part.name).get()));
            priv.push_back(attrBytes(part.type, secrets.back().data(), secrets.back().size()));
        }
        pub.push_back(attrBytes(CKA_MODULUS, pubA.data(), pubA.size()));
        pub.push_back(attrBytes(CKA_PUBLIC_EXPONENT, pubB.data(), pubB.size()));
    } else if (EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_EC) {
        keyType = CKK_EC;
        const KeyTraits* traits = keyTraitsOf(pkey.get());
        if (traits == nullptr) {
            char group[64] = {};
            EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group,
                                           sizeof group, nullptr);
            throw Error(Reason::MechanismInvalid,
                        std::string("unsupported EC curve in the .pfx: ") + group);
        }
        pubA.assign(traits->curve.begin(), traits->curve.end());
        const std::size_t fieldLen = (traits->bits + 7) / 8;
        Bytes point(256);
        std::size_t plen = 0;
        if (EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                            point.size(), &plen) != 1)
            throwOpenSsl(Reason::InvalidParams, "the .pfx EC key has no public point");
        point.resize(plen);
        id = sha1(point);
        pubB = wrapOctetString(point);
        secrets.push_back(secureBnBytes(getBn(OSSL_PKEY_PARAM_PRIV_KEY).get(), fieldLen));
        priv.push_back(attrBytes(CKA_EC_PARAMS, pubA.data(), pubA.size()));
        priv.push_back(attrBytes(CKA_VALUE, secrets.back().data(), secrets.back().size()));
        pub.push_back(attrBytes(CKA_EC_PARAMS, pubA.data(), pubA.size()));
        pub.push_back(attrBytes(CKA_EC_POINT, pubB.data(), pubB.size()));
    } else {
        throw Error(Reason::MechanismInvalid, "the .pfx key is neither RSA nor EC");
    }
    priv.push_back(attr(CKA_KEY_TYPE, &keyType));
    pub.push_back(attr(CKA_KEY_TYPE, &keyType));
    priv.push_back(attrBytes(CKA_ID, id.data(), id.size()));
    pub.push_back(attrBytes(CKA_ID, id.data(), id.size()));
    pkey.reset();  // the software copy goes as soon as the token has its own

    CK_OBJECT_HANDLE hPriv = session_->createObject(priv);
    secrets.clear();
    session_->createObject(pub);
    ImportedPkcs12 result;
    result.key = readKey(hPriv);
    result.certificate = storeCertificate(described.der, keyLabel);
    return result;
}

}  // namespace firmante::pkcs11
