// Keys with CKA_ALWAYS_AUTHENTICATE (qualified-signature cards): the PIN again, as a
// context-specific login between C_SignInit and C_Sign, for every signature (PKCS#11 v2.40 §4.9,
// §5.1, §11.4). SoftHSM enforces the attribute — C_Sign without that login fails with
// CKR_USER_NOT_LOGGED_IN — so it is the independent observer; the fault module's log shows the
// order of the calls and the user type of each C_Login; openssl checks the signatures.
#include <gtest/gtest.h>

#include <optional>

#include "TokenFixture.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Csr.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/testing/AlwaysAuthenticate.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TempDir.h"

using namespace firmante::pkcs11;
using namespace firmante::testing;

class AlwaysAuthenticateTest : public firmante::testing::FaultTokenFixture {
  protected:
    AlwaysAuthenticateTest() : FaultTokenFixture("Firma Calificada") {}
    void SetUp() override {
        FaultTokenFixture::SetUp();
        login();
    }
    std::vector<std::string> logLines() { return faults_->logLines(); }
    // A key as a qualified-signature card holds it, read back through our own lookup.
    KeyInfo qualifiedKey(KeyType type) {
        return firmante::testing::generateAlwaysAuthenticateKey(*token_, "calificada",
                                                                type == KeyType::EcP256, {0x51});
    }
    // The challenge signature, checked by openssl against the key's SPKI.
    bool opensslVerifies(const KeyInfo& key, const ChallengeSignature& sig, Bytes nonce) {
        TempDir dir;
        Bytes msg = challengeMessage("https://idse.example", nonce);
        writeFile((dir / "msg").string(), std::string(msg.begin(), msg.end()));
        writeFile((dir / "sig").string(), std::string(sig.signature.begin(), sig.signature.end()));
        writeFile((dir / "pub.der").string(), std::string(key.spki.begin(), key.spki.end()));
        auto r =
            run({"openssl", "dgst", "-sha256", "-verify", (dir / "pub.der").string(), "-keyform",
                 "DER", "-signature", (dir / "sig").string(), (dir / "msg").string()});
        return r.exitCode == 0;
    }
};

// The observer first: SoftHSM 2.6 itself refuses C_Sign with such a key after a plain user login.
TEST_F(AlwaysAuthenticateTest, SoftHsmRefusesTheSignatureWithoutTheContextLogin) {
    KeyInfo key = qualifiedKey(KeyType::Rsa2048);
    auto& s = token_->session();
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    auto found = s.find({{CKA_CLASS, &cls, sizeof cls},
                         {CKA_ID, key.id.data(), static_cast<CK_ULONG>(key.id.size())}});
    ASSERT_EQ(found.size(), 1u);
    CK_MECHANISM m{CKM_SHA256_RSA_PKCS, nullptr, 0};
    ASSERT_EQ(s.api()->C_SignInit(s.handle(), &m, found[0]), CKR_OK);
    unsigned char data[] = "x", sig[512];
    CK_ULONG len = sizeof sig;
    EXPECT_EQ(s.api()->C_Sign(s.handle(), data, 1, sig, &len), CKR_USER_NOT_LOGGED_IN);
}

TEST_F(AlwaysAuthenticateTest, TheAttributeIsReadBackWithTheKey) {
    KeyInfo plain = token_->generateKeyPair(KeyType::EcP256, "normal");
    EXPECT_FALSE(plain.attributes.alwaysAuthenticate);
    EXPECT_TRUE(qualifiedKey(KeyType::EcP256).attributes.alwaysAuthenticate);
}

TEST_F(AlwaysAuthenticateTest, EachSignatureLogsInAgainBetweenSignInitAndSign) {
    KeyInfo key = qualifiedKey(KeyType::Rsa2048);
    int asked = 0;
    token_->setContextLogin([&](Session& session) {
        ++asked;
        session.contextLogin(Secret(SoftHsmToken::kUserPin));
    });
    faults_->set("trace");
    faults_->clearLog();
    auto pkey = token_->privateKey(key);
    for (unsigned char round : {1, 2}) {
        Bytes nonce(32, round);
        auto sig = signChallenge(pkey.get(), "https://idse.example", nonce);
        EXPECT_TRUE(opensslVerifies(key, sig, nonce)) << "round " << int(round);
    }
    EXPECT_EQ(asked, 2);
    // C_SignInit, then the context-specific C_Login (user type 2), then C_Sign — twice.
    std::vector<std::string> order;
    for (const auto& l : logLines()) {
        if (l.ends_with(" C_SignInit")) order.push_back("C_SignInit");
        if (l.ends_with(" C_Sign")) order.push_back("C_Sign");
        if (l.starts_with("C_Login ")) order.push_back(l);
    }
    const std::vector<std::string> once{"C_SignInit", "C_Login rv=0x0 user=2", "C_Sign"};
    std::vector<std::string> twice = once;
    twice.insert(twice.end(), once.begin(), once.end());
    EXPECT_EQ(order, twice);
}

TEST_F(AlwaysAuthenticateTest, AKeyWithoutTheAttributeIsNotAskedAgain) {
    KeyInfo key = token_->generateKeyPair(KeyType::EcP256, "normal");
    int asked = 0;
    token_->setContextLogin([&](Session&) { ++asked; });
    faults_->clearLog();
    auto pkey = token_->privateKey(key);
    signChallenge(pkey.get(), "https://idse.example", Bytes(32, 7));
    EXPECT_EQ(asked, 0);
    for (const auto& l : logLines()) EXPECT_FALSE(l.starts_with("C_Login")) << l;
}

TEST_F(AlwaysAuthenticateTest, WithNobodyToAskTheKeyDoesNotSign) {
    KeyInfo key = qualifiedKey(KeyType::EcP256);
    auto pkey = token_->privateKey(key);
    try {
        signChallenge(pkey.get(), "https://idse.example", Bytes(32, 7));
        FAIL() << "signed without the per-signature PIN";
    } catch (const Error& e) {
        EXPECT_EQ(e.reasonWord(), "NOT_LOGGED_IN") << e.what();
    }
}

TEST_F(AlwaysAuthenticateTest, AWrongSecondPinIsPinIncorrectAndNotRetried) {
    KeyInfo key = qualifiedKey(KeyType::Rsa2048);
    int asked = 0;
    token_->setContextLogin([&](Session& session) {
        ++asked;
        session.contextLogin(Secret("000000"));
    });
    faults_->clearLog();
    auto pkey = token_->privateKey(key);
    try {
        signChallenge(pkey.get(), "https://idse.example", Bytes(32, 7));
        FAIL() << "signed with a wrong second PIN";
    } catch (const Error& e) {
        EXPECT_EQ(e.reasonWord(), "PIN_INCORRECT") << e.what();
    }
    EXPECT_EQ(asked, 1);
    int logins = 0;
    for (const auto& l : logLines()) logins += l.starts_with("C_Login");
    EXPECT_EQ(logins, 1);
}

TEST_F(AlwaysAuthenticateTest, ThePinPadServesTheContextLoginToo) {
    KeyInfo key = qualifiedKey(KeyType::EcP256);
    faults_->set(std::string("pinpad pinpad-pin=") + SoftHsmToken::kUserPin);
    token_->setContextLogin([](Session& session) { session.contextLoginProtectedPath(); });
    faults_->clearLog();
    auto pkey = token_->privateKey(key);
    Bytes nonce(32, 9);
    auto sig = signChallenge(pkey.get(), "https://idse.example", nonce);
    EXPECT_FALSE(sig.signature.empty());
    EXPECT_EQ(logLines(), (std::vector<std::string>{"C_Login rv=0x0 user=2"}));
}
