// The old key and certificate leave the token only at finish, and only with the person's consent.
#include "RenewalFixture.h"
#include "firmante/pkcs11/Certificate.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalFinish : public RenewalFixture {
  protected:
    /// Runs the renewal up to the signed terms letter; returns its id.
    std::string reachFinish() {
        const json begun = begin();
        const std::string id = begun.at("renewalId");
        const pkcs11::Bytes letter1 = acceptanceLetter(begun.at("spkiHex"));
        signAcceptance(id, letter1);
        prove(id);
        newCertUri_ = install(id).at("uri");
        newKeyUri_ = begun.at("uri");
        signTerms(id, termsLetter(begun.at("spkiHex"), upperHex(pkcs11::sha1(letter1))));
        auth_.clear();
        return id;
    }

    bool oldCertificatePresent() {
        try {
            token().certificate(oldCert_.uri);
            return true;
        } catch (const pkcs11::Error& e) {
            EXPECT_EQ(e.reason(), pkcs11::Reason::CertificateNotFound);
            return false;
        }
    }
    bool keyPresent(const pkcs11::Uri& uri) {
        return asUser([&] {
            try {
                token().key(uri);
                return true;
            } catch (const pkcs11::Error& e) {
                EXPECT_EQ(e.reason(), pkcs11::Reason::KeyNotFound);
                return false;
            }
        });
    }

    std::string newCertUri_;
    std::string newKeyUri_;
};

TEST_F(RenewalFinish, RefusedRetirementKeepsTheOldKeyAndCertificate) {
    const std::string id = reachFinish();
    auth_.confirmAnswer = false;
    const auto e = errorOf([&] { finish(id, true); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), pkcs11::Reason::UserCancelled);
    ASSERT_EQ(auth_.confirms.size(), 1u);
    EXPECT_EQ(auth_.confirms[0].operation,
              "¿Eliminar del token el certificado anterior y su llave?");
    EXPECT_TRUE(auth_.unlocks.empty());
    EXPECT_TRUE(oldCertificatePresent());
    EXPECT_TRUE(keyPresent(oldKey_.uri));
    EXPECT_EQ(manager().status(id).at("state"), "termsSigned");
}

TEST_F(RenewalFinish, ConfirmedRetirementRemovesOnlyTheOldKeyAndCertificate) {
    const std::string id = reachFinish();
    auth_.confirmAnswer = false;
    (void)errorOf([&] { finish(id, true); });
    auth_.confirmAnswer = true;  // the person changes their mind: finish is retried
    EXPECT_EQ(finish(id, true), (json{{"done", true}, {"retired", true}}));
    EXPECT_FALSE(oldCertificatePresent());
    EXPECT_FALSE(keyPresent(oldKey_.uri));
    EXPECT_TRUE(keyPresent(pkcs11::Uri::parse(newKeyUri_)));
    EXPECT_NO_THROW(token().certificate(pkcs11::Uri::parse(newCertUri_)));
    const json status = manager().status(id);
    EXPECT_EQ(status.at("state"), "finished");
    EXPECT_EQ(status.at("retiredOld"), true);
    EXPECT_FALSE(token().loggedIn());
}

TEST_F(RenewalFinish, FinishingWithoutRetiringAsksNothing) {
    const std::string id = reachFinish();
    EXPECT_EQ(finish(id, false).at("retired"), false);
    EXPECT_EQ(auth_.calls(), 0u);
    EXPECT_TRUE(oldCertificatePresent());
}

TEST_F(RenewalFinish, TheOldPairIsKeptWhenTheNewCertificateIsMissing) {
    const std::string id = reachFinish();
    asUser([&] {
        token().deleteCertificate(pkcs11::Uri::parse(newCertUri_));
        return 0;
    });
    const auto e = errorOf([&] { finish(id, true); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason(), pkcs11::Reason::CertificateNotFound);
    EXPECT_EQ(auth_.calls(), 0u);
    EXPECT_TRUE(oldCertificatePresent());
    EXPECT_TRUE(keyPresent(oldKey_.uri));
    EXPECT_EQ(manager().status(id).at("state"), "termsSigned");
}

}  // namespace
}  // namespace firmante::renewal::testing
