#pragma once
// A portal in a temporary state dir, the demo employer's expired certificate
// on a software key, and helpers that walk the manual's steps.

#include "PortalTestKit.h"

#include "firmante/portal/Pki.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

namespace firmante::portal::test {

class RenewalFixture : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (!oldKey_) oldKey_ = makeRsaKey(2048).release();
        if (!newKey_) newKey_ = makeRsaKey(2048).release();
        if (!otherKey_) otherKey_ = makeEcKey().release();
    }

    void SetUp() override {
        PortalOptions options;
        options.stateDir = dir_.path() / "state";
        options.linkTtl = std::chrono::seconds(600);
        options.clock = [this] { return now_; };
        portal_ = std::make_unique<Portal>(options);
        client_ = std::make_unique<PortalClient>(*portal_);
        oldCert_ = issueExpired(oldKey_);
    }

    /// The demo employer's certificate for `key`, valid from two years ago to one year ago.
    X509Ptr issueExpired(EVP_PKEY* key) {
        auto subject = EmployerRecord::demo().subject();
        std::string pem = makeCsrPem(key, subject.get());
        auto bio = readOnlyBio(pem.data(), pem.size());
        X509ReqPtr csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
        const auto year = std::chrono::hours(24 * 365);
        return Portal::issueEmployerCertificate(portal_->ca(), csr.get(), now_ - 2 * year,
                                                now_ - year);
    }

    PortalResponse login(PortalClient& c, X509* cert, EVP_PKEY* key,
                         const std::string& user = "A064878710") {
        auto start = PortalClient::json(c.post("/api/login/start", nlohmann::json::object()));
        c.session = start["session"];
        Bytes nonce = *base64Decode(start["nonce"].get<std::string>());
        return c.post("/api/login/finish",
                      {{"user", user},
                       {"certificate", base64Encode(certificateDer(cert))},
                       {"signature", base64Encode(signOriginBound(key, c.origin(), nonce))},
                       {"algorithm", algorithmFor(key)}});
    }

    PortalResponse submitData() {
        return client_->post("/api/renewal/data", {{"email", "rh@prueba4.example"},
                                                   {"emailConfirmation", "rh@prueba4.example"},
                                                   {"phone", "5552382700"},
                                                   {"fax", "21313213212"}});
    }

    PortalResponse submitKey(EVP_PKEY* spkiKey, EVP_PKEY* csrKey) {
        auto subject = X509_get_subject_name(oldCert_.get());
        return client_->post("/api/renewal/key", {{"spki", base64Encode(spkiDer(spkiKey))},
                                                  {"csr", makeCsrPem(csrKey, subject)}});
    }

    Bytes letterBytes(const PortalResponse& r) { return Bytes(r.body.begin(), r.body.end()); }

    PortalResponse postCms(const std::string& path, const Bytes& cms) {
        return client_->post(path, {{"cms", base64Encode(cms)}});
    }

    /// The letter of `stage` ("acceptance" or "terms"), as the page downloads it.
    void fetchLetter(const std::string& stage, Bytes& letter) {
        auto r = client_->get("/api/renewal/" + stage + "-letter");
        ASSERT_EQ(r.status, 200);
        letter = letterBytes(r);
    }
    /// The letter of `stage` signed with `key` under `cert`, uploaded; stops the test if refused.
    void uploadSignedLetter(const std::string& stage, X509* cert, EVP_PKEY* key,
                            const Bytes& letter) {
        auto r = postCms("/api/renewal/" + stage + "-letter/signature", cmsSign(cert, key, letter));
        ASSERT_EQ(r.status, 200) << r.body;
    }

    std::string linkToken() {
        auto messages = PortalClient::json(client_->get("/api/outbox"))["messages"];
        std::string link = messages.back()["link"];
        return link.substr(link.rfind('/') + 1);
    }

    PortalResponse provePossession(EVP_PKEY* key, const Bytes& nonce) {
        return client_->post(
            "/api/renewal/certificate",
            {{"signature", base64Encode(signOriginBound(key, client_->origin(), nonce))},
             {"algorithm", algorithmFor(key)}});
    }

    /// Walks the happy path until `step` is complete; stops the test on any refusal.
    void runTo(int step) {
        ASSERT_EQ(PortalClient::json(login(*client_, oldCert_.get(), oldKey_))["status"],
                  "RENEWAL_REQUIRED");
        if (step <= 2) return;
        ASSERT_EQ(submitData().status, 200);
        if (step <= 3) return;
        ASSERT_EQ(submitKey(newKey_, newKey_).status, 200);
        if (step <= 4) return;
        ASSERT_NO_FATAL_FAILURE(fetchLetter("acceptance", letter1_));
        if (step <= 5) return;
        ASSERT_NO_FATAL_FAILURE(
            uploadSignedLetter("acceptance", oldCert_.get(), oldKey_, letter1_));
        if (step <= 7) return;
        auto r8 = client_->post("/api/renewal/link", {{"token", linkToken()}});
        ASSERT_EQ(r8.status, 200) << r8.body;
        popNonce_ = *base64Decode(PortalClient::json(r8)["nonce"].get<std::string>());
        if (step <= 8) return;
        auto r9 = provePossession(newKey_, popNonce_);
        ASSERT_EQ(r9.status, 200) << r9.body;
        newCert_ = parseCertificate(
            *base64Decode(PortalClient::json(r9)["certificateDer"].get<std::string>()));
        if (step <= 9) return;
        ASSERT_NO_FATAL_FAILURE(fetchLetter("terms", letter2_));
        if (step <= 10) return;
        ASSERT_NO_FATAL_FAILURE(uploadSignedLetter("terms", newCert_.get(), newKey_, letter2_));
    }

    // Shared by the suite: RSA key generation is the slow part, and every test
    // still gets its own CA, state dir and certificates.
    static inline EVP_PKEY* oldKey_ = nullptr;
    static inline EVP_PKEY* newKey_ = nullptr;
    static inline EVP_PKEY* otherKey_ = nullptr;

    TempDir dir_;
    std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
    std::unique_ptr<Portal> portal_;
    std::unique_ptr<PortalClient> client_;
    X509Ptr oldCert_;
    X509Ptr newCert_;
    Bytes letter1_, letter2_, popNonce_;
};

}  // namespace firmante::portal::test
