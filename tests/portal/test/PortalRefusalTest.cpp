#include "RenewalFixture.h"

namespace firmante::portal::test {
namespace {

using nlohmann::json;

class PortalRefusal : public RenewalFixture {};

TEST_F(PortalRefusal, AcceptanceLetter_SignedByAnotherCertificate_IsRefused) {
    runTo(5);
    X509Ptr other = issueExpired(otherKey_);
    auto r = postCms("/api/renewal/acceptance-letter/signature",
                     cmsSign(other.get(), otherKey_, letter1_));
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(PortalClient::errorCode(r), "CERTIFICATE_MISMATCH");
    // The refusal leaves the step open: the right signature is still accepted.
    EXPECT_EQ(postCms("/api/renewal/acceptance-letter/signature",
                      cmsSign(oldCert_.get(), oldKey_, letter1_))
                  .status,
              200);
}

TEST_F(PortalRefusal, AcceptanceLetter_ChangedByOneByte_IsRefusedAsWrongLetter) {
    runTo(5);
    Bytes changed = letter1_;
    changed[changed.size() / 2] ^= 0x01;
    auto r = postCms("/api/renewal/acceptance-letter/signature",
                     cmsSign(oldCert_.get(), oldKey_, changed));
    EXPECT_EQ(PortalClient::errorCode(r), "LETTER_MISMATCH");
    EXPECT_NE(PortalClient::json(r)["error"]["message"].get<std::string>().find("Carta errónea"),
              std::string::npos);
}

TEST_F(PortalRefusal, AcceptanceLetter_WithoutSignedAttributesAndChanged_IsRefusedAsWrongLetter) {
    runTo(5);
    Bytes changed = letter1_;
    changed.back() ^= 0x01;
    auto in = readOnlyBio(changed.data(), changed.size());
    CmsPtr cms(CMS_sign(oldCert_.get(), oldKey_, nullptr, in.get(),
                        CMS_DETACHED | CMS_BINARY | CMS_NOATTR));
    BioPtr out(BIO_new(BIO_s_mem()));
    i2d_CMS_bio(out.get(), cms.get());
    auto r = postCms("/api/renewal/acceptance-letter/signature", bioBytes(out.get()));
    EXPECT_EQ(PortalClient::errorCode(r), "LETTER_MISMATCH");
}

TEST_F(PortalRefusal, Letter_FromAnotherSession_IsRefused) {
    runTo(5);
    PortalClient other(*portal_);
    ASSERT_EQ(PortalClient::json(login(other, oldCert_.get(), oldKey_))["status"],
              "RENEWAL_REQUIRED");
    std::swap(other.session, client_->session);
    ASSERT_EQ(submitData().status, 200);
    ASSERT_EQ(submitKey(newKey_, newKey_).status, 200);
    Bytes otherLetter = letterBytes(client_->get("/api/renewal/acceptance-letter"));
    std::swap(other.session, client_->session);
    ASSERT_NE(otherLetter, letter1_);
    auto r = postCms("/api/renewal/acceptance-letter/signature",
                     cmsSign(oldCert_.get(), oldKey_, otherLetter));
    EXPECT_EQ(PortalClient::errorCode(r), "LETTER_MISMATCH");
}

TEST_F(PortalRefusal, TermsLetter_SignedWithTheOldCertificate_IsRefused) {
    runTo(10);
    auto r =
        postCms("/api/renewal/terms-letter/signature", cmsSign(oldCert_.get(), oldKey_, letter2_));
    EXPECT_EQ(PortalClient::errorCode(r), "CERTIFICATE_MISMATCH");
    PortalClient again(*portal_);
    EXPECT_EQ(PortalClient::json(login(again, oldCert_.get(), oldKey_))["status"],
              "RENEWAL_REQUIRED");  // nothing was revoked
}

TEST_F(PortalRefusal, TermsLetter_ThatIsTheAcceptanceLetter_IsRefusedAsWrongLetter) {
    runTo(10);
    auto r =
        postCms("/api/renewal/terms-letter/signature", cmsSign(newCert_.get(), newKey_, letter1_));
    EXPECT_EQ(PortalClient::errorCode(r), "LETTER_MISMATCH");
}

TEST_F(PortalRefusal, Link_OpenedTwice_IsRefusedTheSecondTime) {
    runTo(8);
    auto r = client_->post("/api/renewal/link", {{"token", linkToken()}});
    EXPECT_EQ(r.status, 410);
    EXPECT_EQ(PortalClient::errorCode(r), "LINK_USED");
}

TEST_F(PortalRefusal, Link_OpenedAfterItsLifetime_IsRefusedAsExpired) {
    runTo(7);
    now_ += std::chrono::seconds(601);
    auto r = client_->post("/api/renewal/link", {{"token", linkToken()}});
    EXPECT_EQ(PortalClient::errorCode(r), "LINK_EXPIRED");
}

TEST_F(PortalRefusal, Link_WithAnUnknownToken_IsRefused) {
    runTo(7);
    auto r = client_->post("/api/renewal/link", {{"token", std::string(64, '0')}});
    EXPECT_EQ(PortalClient::errorCode(r), "LINK_INVALID");
}

TEST_F(PortalRefusal, Csr_WhoseKeyIsNotTheSubmittedKey_IsRefused) {
    runTo(3);
    auto r = submitKey(newKey_, otherKey_);
    EXPECT_EQ(PortalClient::errorCode(r), "KEY_MISMATCH");
}

TEST_F(PortalRefusal, Csr_SignedByAnotherKey_IsRefused) {
    runTo(3);
    auto subject = EmployerRecord::demo().subject();
    auto r =
        client_->post("/api/renewal/key", {{"spki", base64Encode(spkiDer(newKey_))},
                                           {"csr", makeCsrPem(newKey_, subject.get(), otherKey_)}});
    EXPECT_EQ(PortalClient::errorCode(r), "CSR_INVALID");
}

TEST_F(PortalRefusal, NewKey_EqualToTheOldKey_IsRefused) {
    runTo(3);
    EXPECT_EQ(PortalClient::errorCode(submitKey(oldKey_, oldKey_)), "KEY_REUSED");
}

TEST_F(PortalRefusal, ProofOfPossession_ByAnotherKey_IsRefused) {
    runTo(8);
    auto r = provePossession(otherKey_, popNonce_);
    EXPECT_EQ(PortalClient::errorCode(r), "POSSESSION_NOT_PROVEN");
    auto oldKeyTry = provePossession(oldKey_, popNonce_);
    EXPECT_EQ(PortalClient::errorCode(oldKeyTry), "POSSESSION_NOT_PROVEN");
}

TEST_F(PortalRefusal, ProofOfPossession_ForAnotherOrigin_IsRefused) {
    runTo(8);
    auto r = client_->post(
        "/api/renewal/certificate",
        {{"signature", base64Encode(signOriginBound(newKey_, "http://evil.example", popNonce_))},
         {"algorithm", "RS256"}});
    EXPECT_EQ(PortalClient::errorCode(r), "POSSESSION_NOT_PROVEN");
}

TEST_F(PortalRefusal, Steps_OutOfOrderOrReplayed_AreRefusedWithStepOrder) {
    ASSERT_EQ(PortalClient::json(login(*client_, oldCert_.get(), oldKey_))["status"],
              "RENEWAL_REQUIRED");
    auto skip = submitKey(newKey_, newKey_);  // step 4 before step 3
    EXPECT_EQ(skip.status, 409);
    EXPECT_EQ(PortalClient::errorCode(skip), "STEP_ORDER");
    EXPECT_EQ(PortalClient::json(skip)["error"]["details"]["completedStep"], 2);
    EXPECT_EQ(PortalClient::errorCode(client_->get("/api/renewal/acceptance-letter")),
              "STEP_ORDER");
    EXPECT_EQ(PortalClient::errorCode(client_->get("/api/renewal/terms-letter")), "STEP_ORDER");
    EXPECT_EQ(PortalClient::errorCode(client_->post(
                  "/api/renewal/certificate", {{"signature", "AAAA"}, {"algorithm", "RS256"}})),
              "STEP_ORDER");
    ASSERT_EQ(submitData().status, 200);
    EXPECT_EQ(PortalClient::errorCode(submitData()), "STEP_ORDER");  // replay of step 3
    ASSERT_EQ(submitKey(newKey_, newKey_).status, 200);
    EXPECT_EQ(PortalClient::errorCode(submitKey(newKey_, newKey_)), "STEP_ORDER");
    EXPECT_EQ(PortalClient::errorCode(
                  postCms("/api/renewal/acceptance-letter/signature", Bytes{0x30, 0x00})),
              "STEP_ORDER");  // signing before downloading
}

TEST_F(PortalRefusal, LoginFinish_Replayed_IsRefused) {
    auto start = PortalClient::json(client_->post("/api/login/start", json::object()));
    client_->session = start["session"];
    Bytes nonce = *base64Decode(start["nonce"].get<std::string>());
    json body = {{"user", "A064878710"},
                 {"certificate", base64Encode(certificateDer(oldCert_.get()))},
                 {"signature", base64Encode(signOriginBound(oldKey_, client_->origin(), nonce))},
                 {"algorithm", "RS256"}};
    ASSERT_EQ(client_->post("/api/login/finish", body).status, 200);
    EXPECT_EQ(PortalClient::errorCode(client_->post("/api/login/finish", body)), "STEP_ORDER");
}

TEST_F(PortalRefusal, Login_SignedForAnotherOrigin_IsRefused) {
    PortalClient elsewhere(*portal_, "127.0.0.1:9999");
    auto start = PortalClient::json(client_->post("/api/login/start", json::object()));
    client_->session = start["session"];
    Bytes nonce = *base64Decode(start["nonce"].get<std::string>());
    auto r = client_->post(
        "/api/login/finish",
        {{"user", "A064878710"},
         {"certificate", base64Encode(certificateDer(oldCert_.get()))},
         {"signature", base64Encode(signOriginBound(oldKey_, elsewhere.origin(), nonce))},
         {"algorithm", "RS256"}});
    EXPECT_EQ(PortalClient::errorCode(r), "SIGNATURE_INVALID");
}

TEST_F(PortalRefusal, Login_AsAUserTheCertificateDoesNotName_IsRefused) {
    EXPECT_EQ(PortalClient::errorCode(login(*client_, oldCert_.get(), oldKey_, "B000000000")),
              "USER_MISMATCH");
}

TEST_F(PortalRefusal, Login_WithACertificateFromAnotherCa_IsRefused) {
    TempDir otherDir;
    auto otherCa = CertificateAuthority::openOrCreate(otherDir.path());
    auto subject = EmployerRecord::demo().subject();
    X509Ptr foreign = otherCa.issue(subject.get(), oldKey_, now_ - std::chrono::hours(1),
                                    now_ + std::chrono::hours(1));
    EXPECT_EQ(PortalClient::errorCode(login(*client_, foreign.get(), oldKey_)),
              "CERTIFICATE_UNTRUSTED");
}

TEST_F(PortalRefusal, MalformedInput_GetsAClearErrorAndThePortalKeepsServing) {
    runTo(2);
    EXPECT_EQ(PortalClient::errorCode(client_->postRaw("/api/renewal/data", "{not json")),
              "BAD_REQUEST");
    EXPECT_EQ(PortalClient::errorCode(client_->postRaw("/api/renewal/data", "[1,2]")),
              "BAD_REQUEST");
    EXPECT_EQ(PortalClient::errorCode(client_->postRaw(
                  "/api/renewal/data", std::string(100, '[') + std::string(100, ']'))),
              "BAD_REQUEST");
    EXPECT_EQ(PortalClient::errorCode(client_->post("/api/renewal/data", {{"email", 5}})),
              "INVALID_FIELD");
    EXPECT_EQ(
        PortalClient::errorCode(client_->post("/api/renewal/data", {{"email", "a@b.mx"},
                                                                    {"emailConfirmation", "c@b.mx"},
                                                                    {"phone", "5552382700"},
                                                                    {"fax", "5552382700"}})),
        "EMAIL_CONFIRMATION_MISMATCH");
    EXPECT_EQ(PortalClient::errorCode(client_->get("/api/nothing-here")), "NOT_FOUND");
    PortalClient rebinding(*portal_, "attacker.example:8443");
    EXPECT_EQ(PortalClient::errorCode(rebinding.get("/api/health")), "HOST_NOT_ALLOWED");
    PortalClient anonymous(*portal_);
    EXPECT_EQ(PortalClient::errorCode(anonymous.get("/api/renewal/data")), "SESSION_REQUIRED");
    EXPECT_EQ(submitData().status, 200);
}

TEST_F(PortalRefusal, LetterUpload_WithGarbageCms_IsRefusedAsInvalidCms) {
    runTo(5);
    auto r = client_->post("/api/renewal/acceptance-letter/signature", {{"cms", "bm90IGNtcw=="}});
    EXPECT_EQ(PortalClient::errorCode(r), "CMS_INVALID");
    auto notBase64 = client_->post("/api/renewal/acceptance-letter/signature", {{"cms", "%%%"}});
    EXPECT_EQ(PortalClient::errorCode(notBase64), "INVALID_FIELD");
}

}  // namespace
}  // namespace firmante::portal::test

namespace firmante::portal::test {
namespace {

class PortalRobustness : public RenewalFixture {};

TEST_F(PortalRobustness, GarbageToEveryEndpointAtEveryStep_NeverAnInternalError) {
    const char* endpoints[] = {"/api/login/finish",
                               "/api/renewal/data",
                               "/api/renewal/key",
                               "/api/renewal/acceptance-letter/signature",
                               "/api/renewal/link",
                               "/api/renewal/certificate",
                               "/api/renewal/terms-letter/signature"};
    const nlohmann::json bodies[] = {
        nlohmann::json::object(),
        {{"user", nullptr}, {"certificate", 1}, {"signature", {1, 2}}, {"algorithm", "RS256"}},
        {{"user", "A064878710"},
         {"certificate", "AAAA"},
         {"signature", "AAAA"},
         {"algorithm", "none"}},
        {{"cms", "MAA="},
         {"token", ""},
         {"spki", "MAA="},
         {"csr", "-----BEGIN CERTIFICATE REQUEST-----"}},
        {{"cms", std::string(8192, 'A')}, {"signature", "AAAA"}, {"algorithm", "ES384"}},
        {{"email", std::string(300, 'a')}, {"emailConfirmation", ""}, {"phone", "x"}, {"fax", "1"}},
    };
    for (int step : {2, 3, 5, 8, 10}) {
        SCOPED_TRACE("after step " + std::to_string(step));
        TearDown();
        SetUp();
        runTo(step);
        for (const char* endpoint : endpoints) {
            for (const auto& body : bodies) {
                auto r = client_->post(endpoint, body);
                EXPECT_LT(r.status, 500) << endpoint << " " << body.dump() << " → " << r.body;
                EXPECT_FALSE(PortalClient::errorCode(r).empty() && r.status != 200) << r.body;
            }
            EXPECT_LT(client_->postRaw(endpoint, "\xff\xfe{").status, 500) << endpoint;
        }
    }
}

}  // namespace
}  // namespace firmante::portal::test
