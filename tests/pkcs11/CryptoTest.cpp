#include <gtest/gtest.h>

#include "TokenFixture.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/pkcs11/Csr.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/TestCa.h"

using namespace firmante::pkcs11;
using namespace firmante::testing;

class TokenCrypto : public TokenFixture, public ::testing::WithParamInterface<KeyType> {};

TEST_P(TokenCrypto, CsrSignedOnTheTokenVerifiesWithOpenssl) {
    KeyInfo key = token().generateKeyPair(GetParam(), "csr");
    auto pkey = token().privateKey(key);
    auto subject = parseDistinguishedName("/CN=PRUEBA 4 PRUEBA 4/O=PRUEBA 4/C=MX");
    std::string pem = makeCsrPem(pkey.get(), subject.get());
    TempDir dir;
    writeFile((dir / "req.pem").string(), pem);
    auto r = run({"openssl", "req", "-in", (dir / "req.pem").string(), "-verify", "-noout",
                  "-subject", "-nameopt", "RFC2253"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE((r.out + r.err).find("verify OK"), std::string::npos) << r.out << r.err;
    EXPECT_NE(r.out.find("CN=PRUEBA 4 PRUEBA 4"), std::string::npos) << r.out;
    // The request carries the token key's public key.
    auto pub = run({"openssl", "req", "-in", (dir / "req.pem").string(), "-pubkey", "-noout"});
    writeFile((dir / "pub.pem").string(), pub.out);
    auto der =
        run({"openssl", "pkey", "-pubin", "-in", (dir / "pub.pem").string(), "-outform", "DER"});
    EXPECT_EQ(Bytes(der.out.begin(), der.out.end()), key.spki);
}

TEST_P(TokenCrypto, CmsSignatureVerifiesWithOpensslAndCarriesSigningCertificateV2) {
    TestCa ca;
    KeyInfo key = token().generateKeyPair(GetParam(), "firma");
    auto stored = token().storeCertificate(ca.issue(key.spki, "/CN=Firmante/O=PRUEBA 4"));
    auto cert = decodeCertificate(stored.der);
    auto pkey = token().privateKey(key);
    std::string letter = "%PDF-1.4 carta de aceptación";
    CmsSignature sig = signDetached(pkey.get(), cert.get(), bytesOf(letter));
    EXPECT_EQ(sig.documentSha256, sha256(bytesOf(letter)));

    TempDir dir;
    writeFile((dir / "carta.pdf").string(), letter);
    writeFile((dir / "carta.p7s").string(), std::string(sig.der.begin(), sig.der.end()));
    auto r = run({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                  (dir / "carta.p7s").string(), "-content", (dir / "carta.pdf").string(), "-CAfile",
                  ca.pemPath().string(), "-purpose", "any", "-out", "/dev/null"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("Verification successful"), std::string::npos) << r.err;
    auto print = run({"openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in",
                      (dir / "carta.p7s").string()});
    for (const char* attribute :
         {"contentType", "messageDigest", "signingTime", "id-smime-aa-signingCertificateV2"})
        EXPECT_NE(print.out.find(attribute), std::string::npos) << attribute;
    EXPECT_NE(print.out.find("eContent: <ABSENT>"), std::string::npos) << "detached";

    auto v = verifyDetached(bytesOf(letter), sig.der, ca.pemPath().string());
    EXPECT_TRUE(v.signingCertificateV2);
    EXPECT_TRUE(v.chainVerified);
    EXPECT_TRUE(v.signingTime.has_value());
    EXPECT_EQ(v.signerCertificate, stored.der);

    std::string changed = letter;
    changed[5] ^= 1;
    try {
        verifyDetached(bytesOf(changed), sig.der, ca.pemPath().string());
        FAIL() << "a one-byte change verified";
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::SignatureInvalid);
    }
}

TEST_P(TokenCrypto, ChallengeSignatureBindsOriginAndNonce) {
    KeyInfo key = token().generateKeyPair(GetParam(), "login");
    auto pkey = token().privateKey(key);
    Bytes nonce(32, 0x5a);
    auto sig = signChallenge(pkey.get(), "https://idse.imss.gob.mx", nonce);
    auto pub = publicKeyFromSpki(key.spki);
    EXPECT_TRUE(verifyChallenge(pub.get(), "https://idse.imss.gob.mx", nonce, sig.signature));
    EXPECT_FALSE(verifyChallenge(pub.get(), "https://evil.example", nonce, sig.signature));
    Bytes otherNonce = nonce;
    otherNonce[0] ^= 1;
    EXPECT_FALSE(verifyChallenge(pub.get(), "https://idse.imss.gob.mx", otherNonce, sig.signature));
    EXPECT_EQ(sig.algorithm, GetParam() == KeyType::EcP384   ? "ES384"
                             : GetParam() == KeyType::EcP256 ? "ES256"
                                                             : "RS256");
    // The same construction, checked with the openssl tool: sign input is SHA-256(o)||SHA-256(n).
    TempDir dir;
    Bytes msg = challengeMessage("https://idse.imss.gob.mx", nonce);
    writeFile((dir / "msg").string(), std::string(msg.begin(), msg.end()));
    writeFile((dir / "sig").string(), std::string(sig.signature.begin(), sig.signature.end()));
    writeFile((dir / "pub.der").string(), std::string(key.spki.begin(), key.spki.end()));
    auto r = run({"openssl", "dgst", GetParam() == KeyType::EcP384 ? "-sha384" : "-sha256",
                  "-verify", (dir / "pub.der").string(), "-keyform", "DER", "-signature",
                  (dir / "sig").string(), (dir / "msg").string()});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(EveryType, TokenCrypto,
                         ::testing::Values(KeyType::Rsa2048, KeyType::EcP256, KeyType::EcP384),
                         [](const auto& info) {
                             std::string n(keyTypeName(info.param));
                             for (auto& c : n)
                                 if (c == '-') c = '_';
                             return n;
                         });

TEST(SpkiHex, IsTheBitStringElementInLowerCaseHexPairs) {
    EvpPkeyPtr key(EVP_RSA_gen(2048));
    Bytes spki = publicKeySpki(key.get());
    std::string hex = spkiHex(spki);
    EXPECT_TRUE(hex.starts_with("03 82 01 0f 00 30 82 01 0a 02 82 01 01 00")) << hex.substr(0, 60);
    EXPECT_TRUE(hex.ends_with("02 03 01 00 01")) << hex;
    EXPECT_EQ(hex.size(), 275u * 3 - 1) << "4-byte BIT STRING header + 270-byte RSAPublicKey + 1";
    EXPECT_THROW(spkiHex(Bytes{0x30, 0x03, 0x02, 0x01}), Error);
}

TEST(DistinguishedName, AcceptsBothNotationsAndRefusesGarbage) {
    auto a = parseDistinguishedName("/CN=José Pérez/O=PRUEBA 4/C=MX");
    auto b = parseDistinguishedName("CN=José Pérez, O=PRUEBA 4, C=MX");
    EXPECT_EQ(X509_NAME_cmp(a.get(), b.get()), 0);
    auto c = parseDistinguishedName("CN=Uno\\, Dos,C=MX");
    char buf[256];
    X509_NAME_get_text_by_NID(c.get(), NID_commonName, buf, sizeof buf);
    EXPECT_STREQ(buf, "Uno, Dos");
    EXPECT_THROW(parseDistinguishedName(""), Error);
    EXPECT_THROW(parseDistinguishedName("NOPE=1"), Error);
}

class Relogin : public TokenFixture {};

TEST_F(Relogin, KeyStillSignsAfterLogoutAndLoginOnTheSameModule) {
    // SoftHSM renumbers private objects at C_Logout; libp11 must not hand out the stale handle.
    TestCa ca;
    for (KeyType type : {KeyType::Rsa2048, KeyType::EcP256}) {
        KeyInfo key = token().generateKeyPair(type, "relogin");
        auto cert = decodeCertificate(token().storeCertificate(ca.issue(key.spki, "/CN=R")).der);
        for (int round = 0; round < 3; ++round) {
            {
                auto pkey = token().privateKey(key);
                auto sig = signDetached(pkey.get(), cert.get(), bytesOf("carta"));
                EXPECT_NO_THROW(verifyDetached(bytesOf("carta"), sig.der)) << round;
            }
            token().logout();
            token().login(Secret(firmante::testing::SoftHsmToken::kUserPin));
        }
    }
}
