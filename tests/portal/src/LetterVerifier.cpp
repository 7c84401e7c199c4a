#include "firmante/portal/LetterVerifier.h"

#include "firmante/portal/Pki.h"
#include "firmante/portal/PortalError.h"

#include <openssl/err.h>

namespace firmante::portal {

namespace {

PortalError cmsInvalid(const std::string& why) {
    return PortalError("CMS_INVALID", 400,
                       "El archivo de firma no es una firma CMS (PKCS#7) separada válida.",
                       "The signature is not a valid detached CMS SignedData: " + why);
}

PortalError letterMismatch(LetterVerifier::Stage stage) {
    const char* name =
        stage == LetterVerifier::Stage::Acceptance
            ? "la Carta de Aceptación de Renovación (CartadeAceptaciondeRenovacion.pdf)"
            : "la Carta de Términos y Condiciones (CartaTerminosCondiciones.pdf)";
    return PortalError(
        "LETTER_MISMATCH", 422,
        std::string("Carta errónea: el documento firmado no es ") + name +
            " emitida para este trámite. Descargue la carta y fírmela sin modificarla.",
        "Wrong letter: the signed bytes are not the letter this portal issued for this session.");
}

PortalError wrongSigner(LetterVerifier::Stage stage) {
    if (stage == LetterVerifier::Stage::Acceptance)
        return PortalError("CERTIFICATE_MISMATCH", 422,
                           "La carta debe firmarse con su Certificado Digital actual (el "
                           "caducado) y su contraseña anterior; fue firmada con otro certificado.",
                           "Letter 1 must be signed with the expired certificate used to log in.");
    return PortalError("CERTIFICATE_MISMATCH", 422,
                       "La carta debe firmarse con el Certificado Digital y la contraseña que "
                       "acaba de obtener; fue firmada con otro certificado.",
                       "Letter 2 must be signed with the newly issued certificate.");
}

PortalError signatureInvalid(const std::string& why) {
    return PortalError("SIGNATURE_INVALID", 422,
                       "Contraseña inválida o firma no válida: no fue posible verificar la firma "
                       "de la carta con su Certificado Digital.",
                       "The letter's signature does not verify: " + why);
}

}  // namespace

nlohmann::json LetterVerification::toJson() const {
    return {{"signer", signerSubject},
            {"signerSerial", signerSerial},
            {"digestAlgorithm", digestAlgorithm},
            {"signedAttributes", signedAttributes},
            {"signingCertificateV2", signingCertificateV2},
            {"signingTime", signingTime.empty() ? nlohmann::json() : nlohmann::json(signingTime)}};
}

LetterVerification LetterVerifier::verify(const Bytes& cmsDer, const Bytes& letter,
                                          X509* expectedSigner, const CertificateAuthority& ca,
                                          Stage stage) {
    const unsigned char* p = cmsDer.data();
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cmsDer.size())));
    if (!cms || p != cmsDer.data() + cmsDer.size()) {
        ERR_clear_error();
        throw cmsInvalid("not DER CMS");
    }
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
        throw cmsInvalid("not SignedData");
    if (CMS_is_detached(cms.get()) != 1) throw cmsInvalid("content is not detached");
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    if (!infos || sk_CMS_SignerInfo_num(infos) != 1)
        throw cmsInvalid("expected exactly one signer");
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);

    // Find the signer's certificate among those the CMS carries.
    X509StackPtr certs(CMS_get1_certs(cms.get()));
    X509* signer = nullptr;
    for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs.get(), i)) == 0) {
            signer = sk_X509_value(certs.get(), i);
            break;
        }
    }
    if (!signer) throw cmsInvalid("the signer's certificate is not included");
    if (X509_cmp(signer, expectedSigner) != 0) throw wrongSigner(stage);

    LetterVerification result;
    result.signerSubject = nameToString(X509_get_subject_name(signer));
    result.signerSerial = serialHex(signer);
    X509_ALGOR* digestAlg = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digestAlg, nullptr);
    const ASN1_OBJECT* digestOid = nullptr;
    X509_ALGOR_get0(&digestOid, nullptr, nullptr, digestAlg);
    const EVP_MD* md = EVP_get_digestbyobj(digestOid);
    if (!md) throw cmsInvalid("unknown digest algorithm");
    result.digestAlgorithm = OBJ_nid2sn(OBJ_obj2nid(digestOid));
    result.signedAttributes = CMS_signed_get_attr_count(si) > 0;

    // With signed attributes the messageDigest tells a wrong letter apart from a bad signature.
    if (result.signedAttributes) {
        auto* digest = static_cast<ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
            si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
        if (!digest) throw cmsInvalid("messageDigest attribute missing");
        unsigned char actual[EVP_MAX_MD_SIZE];
        unsigned int actualLen = 0;
        if (EVP_Digest(letter.data(), letter.size(), actual, &actualLen, md, nullptr) != 1)
            throwOpenSsl("EVP_Digest");
        if (static_cast<unsigned>(ASN1_STRING_length(digest)) != actualLen ||
            CRYPTO_memcmp(ASN1_STRING_get0_data(digest), actual, actualLen) != 0)
            throw letterMismatch(stage);
        result.signingCertificateV2 =
            CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0;
        int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
        if (idx >= 0) {
            ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0);
            if (t && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME)) {
                try {
                    result.signingTime = isoTime(asn1TimeToTimePoint(t->value.utctime));
                } catch (const std::exception&) {
                    result.signingTime.clear();
                }
            }
        }
    }

    X509StorePtr store = ca.trustStore();
    X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
    X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);
    if (stage == Stage::Acceptance) X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
    auto content = readOnlyBio(letter.data(), letter.size());
    if (CMS_verify(cms.get(), nullptr, store.get(), content.get(), nullptr, CMS_BINARY) != 1) {
        std::string why = drainOpenSslErrors();
        // Without signed attributes a changed letter only shows up here.
        if (!result.signedAttributes) throw letterMismatch(stage);
        throw signatureInvalid(why);
    }
    return result;
}

}  // namespace firmante::portal
