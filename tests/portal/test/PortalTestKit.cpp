#include "PortalTestKit.h"

#include "firmante/portal/Pki.h"

#include <openssl/ess.h>
#include <openssl/pem.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>

#include <memory>
#include <stdexcept>

namespace firmante::portal::test {

EvpPkeyPtr makeRsaKey(unsigned bits) {
    EvpPkeyPtr key(EVP_RSA_gen(bits));
    if (!key) throwOpenSsl("EVP_RSA_gen");
    return key;
}

EvpPkeyPtr makeEcKey(const char* curve) {
    EvpPkeyPtr key(EVP_EC_gen(curve));
    if (!key) throwOpenSsl("EVP_EC_gen");
    return key;
}

std::string makeCsrPem(EVP_PKEY* key, X509_NAME* subject, EVP_PKEY* signer) {
    X509ReqPtr req(X509_REQ_new());
    X509_REQ_set_version(req.get(), 0);
    X509_REQ_set_subject_name(req.get(), subject);
    X509_REQ_set_pubkey(req.get(), key);
    if (!X509_REQ_sign(req.get(), signer ? signer : key, EVP_sha256())) throwOpenSsl("sign CSR");
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509_REQ(bio.get(), req.get());
    auto b = bioBytes(bio.get());
    return {b.begin(), b.end()};
}

std::string algorithmFor(EVP_PKEY* key) {
    return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? "RS256" : "ES256";
}

Bytes signOriginBound(EVP_PKEY* key, const std::string& origin, const Bytes& nonce) {
    Bytes message = originBoundMessage(origin, nonce);
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1)
        throwOpenSsl("EVP_DigestSignInit");
    size_t len = 0;
    EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size());
    Bytes sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1)
        throwOpenSsl("EVP_DigestSign");
    sig.resize(len);
    return sig;
}

Bytes cmsSign(X509* cert, EVP_PKEY* key, const Bytes& content, bool cades) {
    auto in = readOnlyBio(content.data(), content.size());
    const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL;
    CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
    if (!cms) throwOpenSsl("CMS_sign");
    CMS_SignerInfo* si = CMS_add1_signer(cms.get(), cert, key, EVP_sha256(), flags);
    if (!si) throwOpenSsl("CMS_add1_signer");
    if (cades) {
        X509StackPtr none(sk_X509_new_null());
        std::unique_ptr<ESS_SIGNING_CERT_V2, OpenSslDeleter<ESS_SIGNING_CERT_V2_free>> sc(
            OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), cert, none.get(), 0));
        unsigned char* der = nullptr;
        int len = i2d_ESS_SIGNING_CERT_V2(sc.get(), &der);
        if (len <= 0 || !CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2,
                                                     V_ASN1_SEQUENCE, der, len))
            throwOpenSsl("signing-certificate-v2");
        OPENSSL_free(der);
    }
    if (CMS_final(cms.get(), in.get(), nullptr, flags) != 1) throwOpenSsl("CMS_final");
    BioPtr out(BIO_new(BIO_s_mem()));
    if (i2d_CMS_bio(out.get(), cms.get()) != 1) throwOpenSsl("i2d_CMS_bio");
    return bioBytes(out.get());
}

std::string pdfText(const Bytes& pdf) {
    std::vector<char> data(pdf.begin(), pdf.end());
    std::unique_ptr<poppler::document> doc(
        poppler::document::load_from_raw_data(data.data(), static_cast<int>(data.size())));
    if (!doc) throw std::runtime_error("poppler cannot open the PDF");
    std::string text;
    for (int i = 0; i < doc->pages(); ++i) {
        std::unique_ptr<poppler::page> page(doc->create_page(i));
        auto utf8 = page->text().to_utf8();
        text.append(utf8.begin(), utf8.end());
        text += '\n';
    }
    return text;
}

PortalResponse PortalClient::get(const std::string& target) {
    PortalRequest r{"GET", target, host_, "", session, "", ""};
    return portal_.handle(r);
}

PortalResponse PortalClient::post(const std::string& target, const nlohmann::json& body) {
    return postRaw(target, body.dump());
}

PortalResponse PortalClient::postRaw(const std::string& target, const std::string& body) {
    PortalRequest r{"POST", target, host_, origin(), session, "", body};
    return portal_.handle(r);
}

nlohmann::json PortalClient::json(const PortalResponse& r) {
    return nlohmann::json::parse(r.body, nullptr, false);
}

std::string PortalClient::errorCode(const PortalResponse& r) {
    auto j = json(r);
    if (j.is_object() && j.contains("error")) return j["error"].value("code", "");
    return {};
}

}  // namespace firmante::portal::test
