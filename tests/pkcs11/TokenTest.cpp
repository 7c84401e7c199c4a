#include <gtest/gtest.h>

#include "KeyTypeTestName.h"
#include "TokenFixture.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/testing/TestCa.h"

using namespace firmante::pkcs11;
using firmante::testing::SoftHsmToken;
using firmante::testing::TestCa;
using firmante::testing::TokenFixture;

namespace {

template <typename T>
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE t, T* v) {
    return {t, v, sizeof(T)};
}

}  // namespace

class TokenTest : public TokenFixture {};

TEST_F(TokenTest, ListsTheTokenWithLabelAndPinFlags) {
    auto tokens = module_->tokens();
    ASSERT_EQ(tokens.size(), 1u) << "only the initialised token is listed";
    EXPECT_EQ(tokens[0].label, "Firmante Test");
    EXPECT_EQ(tokens[0].manufacturer, "SoftHSM project");
    EXPECT_FALSE(tokens[0].serial.empty());
    EXPECT_FALSE(tokens[0].pinpad);
    EXPECT_FALSE(tokens[0].pinLocked);
    auto uri = tokens[0].uri();
    EXPECT_EQ(module_->findToken(uri.str()), tokens[0].slotId);
    EXPECT_EQ(module_->findToken(""), tokens[0].slotId);
}

TEST_F(TokenTest, NamingAMissingTokenListsTheTokensSeen) {
    try {
        module_->findToken("No Such Token");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::TokenNotPresent);
        EXPECT_NE(std::string(e.what()).find("Firmante Test"), std::string::npos);
    }
}

class KeyGeneration : public TokenFixture, public ::testing::WithParamInterface<KeyType> {};

TEST_P(KeyGeneration, KeyIsSensitiveNeverExtractableAndLocalAsASecondSessionSees) {
    KeyInfo key = token().generateKeyPair(GetParam(), "Llave de prueba");
    EXPECT_EQ(key.algorithm, keyTypeName(GetParam()));
    EXPECT_TRUE(key.attributes.local);
    EXPECT_TRUE(key.attributes.neverExtractable);
    EXPECT_TRUE(key.attributes.alwaysSensitive);
    EXPECT_FALSE(key.attributes.extractable);
    ASSERT_EQ(key.id.size(), 20u);
    ASSERT_FALSE(key.spki.empty());

    // An independent session reads the attributes straight from the token.
    Session other(module_, token().slot());
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    auto found = other.find({attr(CKA_CLASS, &cls), {CKA_ID, key.id.data(), key.id.size()}});
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(other.boolAttribute(found[0], CKA_SENSITIVE, false));
    EXPECT_FALSE(other.boolAttribute(found[0], CKA_EXTRACTABLE, true));
    EXPECT_TRUE(other.boolAttribute(found[0], CKA_NEVER_EXTRACTABLE, false));
    EXPECT_TRUE(other.boolAttribute(found[0], CKA_LOCAL, false));
    EXPECT_TRUE(other.boolAttribute(found[0], CKA_TOKEN, false));
    EXPECT_TRUE(other.boolAttribute(found[0], CKA_PRIVATE, false));
    // The private value itself cannot be read.
    CK_ATTRIBUTE_TYPE secret = key.algorithm.starts_with("rsa") ? CKA_PRIVATE_EXPONENT : CKA_VALUE;
    EXPECT_FALSE(other.attribute(found[0], secret).has_value());

    // CKA_ID is SHA-1 of the public key value, as OpenSC derives it.
    auto pub = publicKeyFromSpki(key.spki);
    Bytes value;
    if (key.algorithm.starts_with("rsa")) {
        BIGNUM* n = nullptr;
        EVP_PKEY_get_bn_param(pub.get(), "n", &n);
        value.resize(BN_num_bytes(n));
        BN_bn2bin(n, value.data());
        BN_free(n);
    } else {
        value.resize(200);
        size_t len = 0;
        EVP_PKEY_get_octet_string_param(pub.get(), "pub", value.data(), value.size(), &len);
        value.resize(len);
    }
    EXPECT_EQ(key.id, sha1(value));
}

INSTANTIATE_TEST_SUITE_P(EveryType, KeyGeneration,
                         ::testing::ValuesIn(firmante::testing::allKeyTypes()),
                         firmante::testing::keyTypeTestName);

TEST_F(TokenTest, WrongPinIsPinIncorrectOnceAndTheRightPinStillWorks) {
    token().logout();
    ASSERT_FALSE(token().loggedIn());
    try {
        token().login(Secret("000000"));
        FAIL() << "a wrong PIN was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::PinIncorrect);
        EXPECT_EQ(e.function(), "C_Login");
        EXPECT_EQ(e.rv(), CKR_PIN_INCORRECT);
        EXPECT_EQ(std::string(e.what()).find("000000"), std::string::npos);
    }
    EXPECT_FALSE(token().loggedIn()) << "nothing retried the login behind our back";
    token().login(Secret(SoftHsmToken::kUserPin));
    EXPECT_TRUE(token().loggedIn());
}

TEST_F(TokenTest, KeyGenerationWithoutLoginIsNotLoggedIn) {
    token().logout();
    try {
        token().generateKeyPair(KeyType::EcP256, "x");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::NotLoggedIn);
    }
}

TEST_F(TokenTest, StoresACertificateNextToItsKeyAndPairsIt) {
    TestCa ca;
    KeyInfo key = token().generateKeyPair(KeyType::Rsa2048, "Patrón");
    auto der = ca.issue(key.spki, "/CN=PRUEBA 4/O=PRUEBA 4/C=MX");
    CertificateInfo stored = token().storeCertificate(der);
    EXPECT_EQ(stored.id, key.id);
    EXPECT_EQ(stored.label, "Patrón");
    ASSERT_TRUE(stored.keyUri);
    EXPECT_EQ(*stored.keyUri, key.uri);
    EXPECT_FALSE(stored.expired);
    EXPECT_NE(stored.subject.find("CN=PRUEBA 4"), std::string::npos);

    // Read back through another session: the attributes a PKCS#11 client pairs by.
    Session other(module_, token().slot());
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    auto found = other.find({attr(CKA_CLASS, &cls)});
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(other.attribute(found[0], CKA_ID), key.id);
    EXPECT_EQ(other.attribute(found[0], CKA_VALUE), Bytes(der.begin(), der.end()));
    EXPECT_TRUE(other.attribute(found[0], CKA_SUBJECT).has_value());
    EXPECT_TRUE(other.attribute(found[0], CKA_ISSUER).has_value());
    EXPECT_TRUE(other.attribute(found[0], CKA_SERIAL_NUMBER).has_value());

    // Storing it again does not duplicate it.
    token().storeCertificate(der);
    EXPECT_EQ(token().certificates().size(), 1u);
    EXPECT_EQ(token().certificate(stored.uri).der, stored.der);
}

TEST_F(TokenTest, RefusesACertificateWhoseKeyIsNotOnTheToken) {
    TestCa ca;
    token().generateKeyPair(KeyType::EcP256, "mine");
    EvpPkeyPtr foreign(EVP_EC_gen("P-256"));
    auto der = ca.issue(publicKeySpki(foreign.get()), "/CN=Someone Else");
    try {
        token().storeCertificate(der);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::CertificateMismatch);
    }
    EXPECT_TRUE(token().certificates().empty());
}

TEST_F(TokenTest, ImportsAPfxAsAnImportedKeyThatCanSign) {
    TestCa ca;
    for (bool ec : {false, true}) {
        const Bytes pfx = ca.makePfx(ec ? "/CN=Legacy EC" : "/CN=Legacy RSA", "secreto",
                                     ec ? KeyType::EcP256 : KeyType::Rsa2048);
        auto imported = token().importPkcs12(pfx, Secret("secreto"));
        EXPECT_FALSE(imported.key.attributes.local) << "imported keys are reported as such";
        EXPECT_TRUE(imported.key.attributes.sensitive);
        EXPECT_FALSE(imported.key.attributes.extractable);
        ASSERT_TRUE(imported.certificate.keyUri);
        EXPECT_EQ(*imported.certificate.keyUri, imported.key.uri);
        EXPECT_EQ(imported.key.spki, imported.certificate.spki);
        auto pkey = token().privateKey(imported.key);
        ASSERT_TRUE(pkey);
    }
}

TEST_F(TokenTest, PfxWithTheWrongPasswordIsPasswordIncorrect) {
    TestCa ca;
    const Bytes pfx = ca.makePfx("/CN=Legacy", "correcta");
    try {
        token().importPkcs12(pfx, Secret("otra"));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::PasswordIncorrect);
    }
    EXPECT_TRUE(token().keys().empty());
}

TEST_F(TokenTest, DeletesOnlyWhatIsExplicitlyNamed) {
    TestCa ca;
    KeyInfo a = token().generateKeyPair(KeyType::EcP256, "a");
    KeyInfo b = token().generateKeyPair(KeyType::EcP256, "b");
    auto cert = token().storeCertificate(ca.issue(a.spki, "/CN=A"));
    token().deleteCertificate(cert.uri);
    EXPECT_TRUE(token().certificates().empty());
    EXPECT_EQ(token().keys().size(), 2u);
    token().deleteKey(a.uri);
    auto left = token().keys();
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].id, b.id);
    EXPECT_THROW(token().key(a.uri), Error);
}

TEST_F(TokenTest, CertificateIsPairedWithItsKeyBeforeLoginThroughThePublicHalf) {
    TestCa ca;
    KeyInfo key = token().generateKeyPair(KeyType::EcP256, "Patrón");
    token().storeCertificate(ca.issue(key.spki, "/CN=PRUEBA 4"));
    token().logout();
    auto certs = token().certificates();
    ASSERT_EQ(certs.size(), 1u);
    ASSERT_TRUE(certs[0].keyUri) << "paired without the PIN";
    EXPECT_EQ(*certs[0].keyUri, key.uri);
}

TEST_F(TokenTest, GeneratedKeysCanOnlySign) {
    KeyInfo key = token().generateKeyPair(KeyType::EcP256, "firma");
    Session other(module_, token().slot());
    for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
        auto found = other.find({attr(CKA_CLASS, &cls), {CKA_ID, key.id.data(), key.id.size()}});
        ASSERT_EQ(found.size(), 1u);
        for (CK_ATTRIBUTE_TYPE use : {CKA_DECRYPT, CKA_UNWRAP, CKA_DERIVE, CKA_ENCRYPT, CKA_WRAP})
            EXPECT_FALSE(other.boolAttribute(found[0], use, false)) << std::hex << use;
    }
}
