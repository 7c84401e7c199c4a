// Tokens that offer few mechanisms or reject parts of a key template, simulated by the fault
// module over SoftHSM (hide-mechanism=, strict-public-template): the signing path must pick a
// mechanism the token offers, keygen must refuse a type the token cannot do before the PIN, and
// keygen must succeed on a module that refuses usage attributes on the public half (tpm2-pkcs11).
// Every signature is checked with the openssl tool, not with our own code.
#include <gtest/gtest.h>

#include <optional>
#include <sstream>

#include "TokenFixture.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/pkcs11/Csr.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Mechanisms.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TempDir.h"
#include "firmante/testing/TestCa.h"

using namespace firmante::pkcs11;
using namespace firmante::testing;

class MechanismTest : public firmante::testing::FaultTokenFixture {
  protected:
    MechanismTest() : FaultTokenFixture("Pocas") {}
    void setFaults(const std::string& words) { faults_->set(words); }
    std::vector<std::string> logLines() { return faults_->logLines(); }
    int count(const std::string& prefix) { return faults_->count(prefix); }

    // CSR, CMS and challenge with the key, each checked by openssl; returns the mechanisms used.
    std::vector<std::string> signEverythingAndVerify(KeyType type) {
        TestCa ca;
        KeyInfo key = token_->generateKeyPair(type, "pocas");
        auto stored = token_->storeCertificate(ca.issue(key.spki, "/CN=Pocas/O=PRUEBA 4"));
        auto cert = decodeCertificate(stored.der);
        TempDir dir;
        faults_->clearLog();
        {
            auto pkey = token_->privateKey(key);
            auto subject = parseDistinguishedName("/CN=PRUEBA 4/C=MX");
            writeFile((dir / "req.pem").string(), makeCsrPem(pkey.get(), subject.get()));
        }
        auto req = run({"openssl", "req", "-in", (dir / "req.pem").string(), "-verify", "-noout"});
        EXPECT_EQ(req.exitCode, 0) << req.err;
        {
            auto pkey = token_->privateKey(key);
            std::string letter = "%PDF-1.4 carta";
            auto sig = signDetached(pkey.get(), cert.get(), bytesOf(letter));
            writeFile((dir / "carta.pdf").string(), letter);
            writeFile((dir / "carta.p7s").string(), std::string(sig.der.begin(), sig.der.end()));
        }
        auto cms = run({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                        (dir / "carta.p7s").string(), "-content", (dir / "carta.pdf").string(),
                        "-CAfile", ca.pemPath().string(), "-purpose", "any", "-out", "/dev/null"});
        EXPECT_EQ(cms.exitCode, 0) << cms.err;
        {
            auto pkey = token_->privateKey(key);
            Bytes nonce(32, 0x33);
            auto sig = signChallenge(pkey.get(), "https://idse.example", nonce);
            Bytes msg = challengeMessage("https://idse.example", nonce);
            writeFile((dir / "msg").string(), std::string(msg.begin(), msg.end()));
            writeFile((dir / "sig").string(),
                      std::string(sig.signature.begin(), sig.signature.end()));
            writeFile((dir / "pub.der").string(), std::string(key.spki.begin(), key.spki.end()));
            auto dgst = run({"openssl", "dgst", type == KeyType::EcP384 ? "-sha384" : "-sha256",
                             "-verify", (dir / "pub.der").string(), "-keyform", "DER", "-signature",
                             (dir / "sig").string(), (dir / "msg").string()});
            EXPECT_EQ(dgst.exitCode, 0) << dgst.out << dgst.err;
        }
        std::vector<std::string> mechanisms;
        for (const auto& l : logLines())
            if (l.starts_with("sign mechanism=")) mechanisms.push_back(l.substr(15));
        return mechanisms;
    }
};

// tpm2-pkcs11's situation: raw CKM_RSA_PKCS unusable, CKM_SHA256_RSA_PKCS fine. libp11 asked for
// CKM_RSA_PKCS only, so all three signatures failed there.
TEST_F(MechanismTest, RsaSignsWithSha256RsaPkcs_WhenTheTokenLacksRawRsa) {
    setFaults("trace hide-mechanism=0x1");
    login();
    auto used = signEverythingAndVerify(KeyType::Rsa2048);
    EXPECT_EQ(used, (std::vector<std::string>{"0x40", "0x40", "0x40"}));
}

// A card without hash-and-sign: CKM_RSA_PKCS over a DigestInfo we build.
TEST_F(MechanismTest, RsaSignsRawOverADigestInfo_WhenTheTokenLacksSha256RsaPkcs) {
    setFaults("trace hide-mechanism=0x40 hide-mechanism=0x41");
    login();
    auto used = signEverythingAndVerify(KeyType::Rsa2048);
    EXPECT_EQ(used, (std::vector<std::string>{"0x1", "0x1", "0x1"}));
}

// SoftHSM offers no CKM_ECDSA_SHA*: raw CKM_ECDSA over the digest, SHA-384 for the P-384
// challenge (ES384) and SHA-256 for CSR and CMS (DESIGN §2). The TPM suite covers ECDSA_SHA*.
TEST_F(MechanismTest, EcSignsRawEcdsaOverTheDigest_WhenTheTokenLacksEcdsaSha256) {
    setFaults("trace hide-mechanism=0x1044 hide-mechanism=0x1045");
    login();
    auto used = signEverythingAndVerify(KeyType::EcP384);
    EXPECT_EQ(used, (std::vector<std::string>{"0x1041", "0x1041", "0x1041"}));
}

// The IsoApplet card of issue 11: EC only through CKM_ECDSA_SHA1. Refused before any PIN, with a
// reason word and the types the token does offer; nothing is left on the token.
TEST_F(MechanismTest, EcKeygenIsRefusedBeforeThePin_WhenTheTokenCannotSignWithEc) {
    // SoftHSM has no CKM_ECDSA_SHA1 either: without CKM_ECDSA it cannot sign with EC at all.
    setFaults("hide-mechanism=0x1041");
    auto listed = module_->tokens();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].keyTypes, (std::vector<std::string>{"rsa-2048", "rsa-3072", "rsa-4096"}));
    try {
        token_->requireKeyType(KeyType::EcP256);
        FAIL() << "ec-p256 accepted on a token that cannot sign with it";
    } catch (const Error& e) {
        EXPECT_EQ(e.reasonWord(), "KEY_TYPE_UNSUPPORTED");
        EXPECT_NE(std::string(e.what()).find("rsa-2048"), std::string::npos) << e.what();
    }
    EXPECT_EQ(count("C_Login"), 0);
    token_->requireKeyType(KeyType::Rsa2048);  // still fine
    login();
    EXPECT_THROW(token_->generateKeyPair(KeyType::EcP384, "nunca"), Error);
    EXPECT_TRUE(token_->keys().empty());
}

TEST_F(MechanismTest, TokensListOnlyTheTypesTheTokenCanGenerateAndSign) {
    const CK_SLOT_ID slot = token_->slot();
    EXPECT_EQ(TokenMechanisms::read(*module_, slot).offered().size(), 5u);  // SoftHSM: all
    setFaults("hide-mechanism=0x1040");  // no CKM_EC_KEY_PAIR_GEN
    auto all = module_->tokens();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].keyTypes, (std::vector<std::string>{"rsa-2048", "rsa-3072", "rsa-4096"}));
    setFaults("hide-mechanism=0x1 hide-mechanism=0x40 hide-mechanism=0x41");  // RSA cannot sign
    EXPECT_EQ(TokenMechanisms::read(*module_, slot).offered(),
              (std::vector<KeyType>{KeyType::EcP256, KeyType::EcP384}));
}

// tpm2-pkcs11 fails C_GenerateKeyPair (CKR_GENERAL_ERROR) when the public half states
// CKA_VERIFY/CKA_ENCRYPT/CKA_WRAP. The key is still born sensitive, not extractable, sign-only.
TEST_F(MechanismTest, KeygenSucceeds_WhenTheModuleRejectsUsageOnThePublicHalf) {
    setFaults("strict-public-template");
    login();
    for (KeyType type : {KeyType::Rsa2048, KeyType::EcP256, KeyType::EcP384}) {
        KeyInfo key = token_->generateKeyPair(type, std::string(keyTypeName(type)));
        EXPECT_EQ(key.algorithm, keyTypeName(type));
        EXPECT_TRUE(key.attributes.sensitive);
        EXPECT_FALSE(key.attributes.extractable);
        EXPECT_TRUE(key.attributes.local);
        EXPECT_FALSE(key.spki.empty());
    }
    EXPECT_EQ(token_->keys().size(), 3u);
    EXPECT_GE(count("strict-public-template refused"), 3);
}

// Issue 11 §6 counts Cryptoki calls per agent signature (182 through libp11 on a small token, and
// growing with every key pair on it). What the agent does for documents.sign: find the
// certificate, its key, sign. On a token with 25 key pairs.
TEST_F(MechanismTest, ASignatureCostsFewCryptokiCallsOnATokenWith25KeyPairs) {
    login();
    TestCa ca;
    KeyInfo key = token_->generateKeyPair(KeyType::Rsa2048, "cuenta");
    for (int i = 0; i < 24; ++i) token_->generateKeyPair(KeyType::EcP256, "otra");
    auto stored = token_->storeCertificate(ca.issue(key.spki, "/CN=Cuenta"));
    setFaults("trace");
    faults_->clearLog();
    auto certificate = token_->certificate(stored.uri, Token::Pairing::CertificateOnly);
    const int lookup = count("call #");
    auto signer = token_->keyOf(certificate);
    EXPECT_EQ(signer.id, key.id);
    auto cert = decodeCertificate(certificate.der);
    {
        auto pkey = token_->privateKey(signer);
        signDetached(pkey.get(), cert.get(), bytesOf("carta"));
    }
    const int calls = count("call #");
    int finds = 0;
    for (const auto& l : logLines()) finds += l.ends_with(" C_FindObjectsInit");
    std::cout << "[ calls    ] certificate lookup " << lookup << ", whole signature " << calls
              << " Cryptoki calls, " << finds << " finds (25 key pairs)\n";
    EXPECT_LE(calls, 20);
    // Each find costs SoftHSM a look at every object on the token: one for the certificate,
    // one for its key.
    EXPECT_EQ(finds, 2);
    EXPECT_EQ(count("sign mechanism="), 1);
}
