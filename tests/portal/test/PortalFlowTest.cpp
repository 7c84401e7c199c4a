#include "RenewalFixture.h"

#include <cstdio>
#include <fstream>

#include <openssl/sha.h>

namespace firmante::portal::test {
namespace {

using nlohmann::json;

class PortalFlow : public RenewalFixture {};

TEST_F(PortalFlow, FullRenewal_TwelveSteps_ThenOnlyTheNewCertificateLogsIn) {
    // Steps 1–2: the expired certificate logs in and is sent to renewal.
    auto r1 = PortalClient::json(login(*client_, oldCert_.get(), oldKey_));
    EXPECT_EQ(r1["status"], "RENEWAL_REQUIRED");
    EXPECT_EQ(r1["step"], 2);
    EXPECT_EQ(r1["renewalUrl"], "http://127.0.0.1:8443/renovacion");

    // Step 3: data on file, then the editable fields.
    auto data = PortalClient::json(client_->get("/api/renewal/data"));
    EXPECT_EQ(data["employer"]["razonSocial"], "PRUEBA 4");
    EXPECT_EQ(data["employer"]["registroPatronal"], "A064878710-7");
    EXPECT_EQ(data["employer"]["curp"], "AAPR630321HDFLRC09");
    auto r3 = submitData();
    ASSERT_EQ(r3.status, 200) << r3.body;
    EXPECT_EQ(PortalClient::json(r3)["employer"]["correo"], "rh@prueba4.example");

    // Step 4: the new key's SPKI and CSR.
    auto r4 = submitKey(newKey_, newKey_);
    ASSERT_EQ(r4.status, 200) << r4.body;
    EXPECT_EQ(PortalClient::json(r4)["spkiHex"], spkiHex(spkiDer(newKey_)));
    EXPECT_TRUE(PortalClient::json(r4)["csrSubjectMatches"].get<bool>());
    {
        // Issue 9 §2: the page shows SHA-256(SPKI) in groups of four, as the agent's prompt does.
        const Bytes der = spkiDer(newKey_);
        unsigned char digest[SHA256_DIGEST_LENGTH];
        SHA256(der.data(), der.size(), digest);
        std::string grouped;
        for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
            char two[3];
            std::snprintf(two, sizeof two, "%02x", digest[i]);
            if (i > 0 && i % 2 == 0) grouped += ' ';
            grouped += two;
        }
        EXPECT_EQ(PortalClient::json(r4)["spkiFingerprint"], grouped);
        EXPECT_EQ(PortalClient::json(client_->get("/api/session"))["spkiFingerprint"], grouped);
    }

    // Step 5–7: letter 1 signed with the expired certificate; the e-mail goes out.
    auto l1 = client_->get("/api/renewal/acceptance-letter");
    ASSERT_EQ(l1.status, 200);
    EXPECT_EQ(l1.contentType, "application/pdf");
    letter1_ = letterBytes(l1);
    auto r6 = postCms("/api/renewal/acceptance-letter/signature",
                      cmsSign(oldCert_.get(), oldKey_, letter1_));
    ASSERT_EQ(r6.status, 200) << r6.body;
    auto j6 = PortalClient::json(r6);
    EXPECT_EQ(j6["step"], 7);
    EXPECT_TRUE(j6["verification"]["signingCertificateV2"].get<bool>());
    auto message =
        PortalClient::json(client_->get("/api/outbox/" + j6["messageId"].get<std::string>()));
    EXPECT_EQ(message["to"], "rh@prueba4.example");
    EXPECT_NE(message["body"].get<std::string>().find(message["link"].get<std::string>()),
              std::string::npos);

    // Steps 8–9: the link, then proof of possession with the new key; the certificate is issued.
    auto r8 = client_->post("/api/renewal/link", {{"token", linkToken()}});
    ASSERT_EQ(r8.status, 200) << r8.body;
    auto r9 =
        provePossession(newKey_, *base64Decode(PortalClient::json(r8)["nonce"].get<std::string>()));
    ASSERT_EQ(r9.status, 200) << r9.body;
    newCert_ = parseCertificate(
        *base64Decode(PortalClient::json(r9)["certificateDer"].get<std::string>()));
    EXPECT_EQ(spkiDer(X509_get0_pubkey(newCert_.get())), spkiDer(newKey_));
    EXPECT_EQ(
        X509_NAME_cmp(X509_get_subject_name(newCert_.get()), X509_get_subject_name(oldCert_.get())),
        0);
    EXPECT_TRUE(portal_->ca().verifyChain(newCert_.get(), true));
    auto cer = client_->get("/api/renewal/certificate.cer");
    EXPECT_EQ(cer.status, 200);
    EXPECT_EQ(letterBytes(cer), certificateDer(newCert_.get()));

    // Steps 10–11: letter 2 signed with the new certificate.
    auto l2 = client_->get("/api/renewal/terms-letter");
    ASSERT_EQ(l2.status, 200);
    letter2_ = letterBytes(l2);
    auto r11 =
        postCms("/api/renewal/terms-letter/signature", cmsSign(newCert_.get(), newKey_, letter2_));
    ASSERT_EQ(r11.status, 200) << r11.body;
    EXPECT_EQ(PortalClient::json(r11)["status"], "RENEWED");

    // Step 12: the new certificate logs in; the old one is refused as superseded.
    PortalClient fresh(*portal_);
    EXPECT_EQ(PortalClient::json(login(fresh, newCert_.get(), newKey_))["status"], "LOGGED_IN");
    PortalClient stale(*portal_);
    EXPECT_EQ(PortalClient::errorCode(login(stale, oldCert_.get(), oldKey_)),
              "CERTIFICATE_REVOKED");
}

TEST_F(PortalFlow, Revocation_SurvivesARestartOfThePortal) {
    runTo(11);
    PortalOptions options;
    options.stateDir = dir_.path() / "state";
    Portal restarted(options);
    PortalClient c(restarted);
    EXPECT_EQ(PortalClient::errorCode(login(c, oldCert_.get(), oldKey_)), "CERTIFICATE_REVOKED");
}

TEST_F(PortalFlow, IssuedCertificate_HasNonRepudiationKeyUsageAndConfiguredValidity) {
    runTo(9);
    auto* usage = static_cast<ASN1_BIT_STRING*>(
        X509_get_ext_d2i(newCert_.get(), NID_key_usage, nullptr, nullptr));
    ASSERT_NE(usage, nullptr);
    EXPECT_TRUE(ASN1_BIT_STRING_get_bit(usage, 0));  // digitalSignature
    EXPECT_TRUE(ASN1_BIT_STRING_get_bit(usage, 1));  // nonRepudiation
    ASN1_BIT_STRING_free(usage);
    int idx = X509_get_ext_by_NID(newCert_.get(), NID_key_usage, -1);
    EXPECT_TRUE(X509_EXTENSION_get_critical(X509_get_ext(newCert_.get(), idx)));
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                       asn1TimeToTimePoint(X509_get0_notAfter(newCert_.get())) - now_)
                       .count();
    EXPECT_NEAR(static_cast<double>(seconds), 730.0 * 86400, 2.0);
}

TEST_F(PortalFlow, ValidCertificate_LogsInDirectlyWithoutRenewal) {
    auto subject = EmployerRecord::demo().subject();
    X509Ptr current = portal_->ca().issue(subject.get(), newKey_, now_ - std::chrono::hours(1),
                                          now_ + std::chrono::hours(24));
    auto r = PortalClient::json(login(*client_, current.get(), newKey_));
    EXPECT_EQ(r["status"], "LOGGED_IN");
    EXPECT_EQ(PortalClient::errorCode(client_->get("/api/renewal/data")), "STEP_ORDER");
}

TEST_F(PortalFlow, EcNewKey_RenewsWithEs256ProofOfPossession) {
    ASSERT_EQ(PortalClient::json(login(*client_, oldCert_.get(), oldKey_))["status"],
              "RENEWAL_REQUIRED");
    ASSERT_EQ(submitData().status, 200);
    ASSERT_EQ(submitKey(otherKey_, otherKey_).status, 200);
    Bytes letter = letterBytes(client_->get("/api/renewal/acceptance-letter"));
    ASSERT_EQ(postCms("/api/renewal/acceptance-letter/signature",
                      cmsSign(oldCert_.get(), oldKey_, letter, false))
                  .status,
              200);
    auto r8 = client_->post("/api/renewal/link", {{"token", linkToken()}});
    auto r9 = provePossession(otherKey_,
                              *base64Decode(PortalClient::json(r8)["nonce"].get<std::string>()));
    ASSERT_EQ(r9.status, 200) << r9.body;
}

TEST_F(PortalFlow, Outbox_WritesOneEmlFileHoldingTheLink) {
    runTo(7);
    auto messages = PortalClient::json(client_->get("/api/outbox"))["messages"];
    ASSERT_EQ(messages.size(), 1u);
    std::ifstream in(dir_.path() / "state" / "outbox" / messages[0]["file"].get<std::string>());
    std::string eml{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_NE(eml.find("To: <rh@prueba4.example>"), std::string::npos);
    EXPECT_NE(eml.find(messages[0]["link"].get<std::string>()), std::string::npos);
    auto page = client_->get("/buzon");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("/liga/" + linkToken()), std::string::npos);
}

TEST_F(PortalFlow, AcceptanceLetter_DownloadedTwice_IsTheSameBytes) {
    runTo(5);
    auto again = PortalClient::json(client_->get("/api/renewal/acceptance-letter?format=json"));
    EXPECT_EQ(*base64Decode(again["document"].get<std::string>()), letter1_);
    EXPECT_EQ(again["fileName"], "CartadeAceptaciondeRenovacion.pdf");
}

}  // namespace
}  // namespace firmante::portal::test
