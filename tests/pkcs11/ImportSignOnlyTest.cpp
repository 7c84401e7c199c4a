// A key imported from a .pfx is as sign-only as a generated one (issue 10 §4): the one template
// (signOnlyPrivateKeyTemplate) reaches the token, as raw Cryptoki and OpenSC's pkcs11-tool read it.
#include <gtest/gtest.h>

#include <sstream>

#include "KeyTypeTestName.h"
#include "RawCryptoki.h"
#include "TokenFixture.h"
#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/TestCa.h"

using namespace firmante::pkcs11;
using firmante::testing::RawCryptoki;
using firmante::testing::SoftHsmToken;
using firmante::testing::TestCa;
using firmante::testing::TokenFixture;

namespace {

// The "Usage:" line pkcs11-tool prints for the one private key on the token.
std::string usageLine(const std::string& listing) {
    std::istringstream lines(listing);
    std::string line;
    while (std::getline(lines, line)) {
        auto colon = line.find("Usage:");
        if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 6));
    }
    return "(no Usage line)";
}

}  // namespace

class ImportedKey : public TokenFixture, public ::testing::WithParamInterface<KeyType> {};

TEST_P(ImportedKey, CanOnlySignAsTheSignOnlyTemplateSays) {
    const Bytes pfx = TestCa().makePfx("/CN=Llave importada", "secreto", GetParam());
    auto imported = token().importPkcs12(pfx, Secret("secreto"), "importada");
    EXPECT_EQ(imported.key.algorithm, keyTypeName(GetParam()));

    RawCryptoki raw(module_->api(), token().slot());
    CK_OBJECT_HANDLE priv = raw.find(CKO_PRIVATE_KEY, imported.key.id);
    CK_OBJECT_HANDLE pub = raw.find(CKO_PUBLIC_KEY, imported.key.id);
    ASSERT_NE(priv, CK_INVALID_HANDLE);
    ASSERT_NE(pub, CK_INVALID_HANDLE);
    // Present and false, not merely absent: a module's default would otherwise decide.
    for (CK_ATTRIBUTE_TYPE use : {CKA_DECRYPT, CKA_DERIVE, CKA_UNWRAP})
        EXPECT_EQ(raw.flag(priv, use), false) << "private half, attribute 0x" << std::hex << use;
    for (CK_ATTRIBUTE_TYPE use : {CKA_ENCRYPT, CKA_WRAP})
        EXPECT_EQ(raw.flag(pub, use), false) << "public half, attribute 0x" << std::hex << use;
    EXPECT_EQ(raw.flag(priv, CKA_SIGN), true);
    EXPECT_EQ(raw.flag(pub, CKA_VERIFY), true);

    // Every attribute of the one template, as keygen uses it, is on the imported key as stated.
    const std::string label = "importada";
    for (const CK_ATTRIBUTE& a : signOnlyPrivateKeyTemplate(label, true)) {
        auto onToken = raw.attribute(priv, a.type);
        ASSERT_TRUE(onToken) << "attribute 0x" << std::hex << a.type;
        const auto* stated = static_cast<const unsigned char*>(a.pValue);
        EXPECT_EQ(*onToken, Bytes(stated, stated + a.ulValueLen))
            << "attribute 0x" << std::hex << a.type;
    }

    // OpenSC's pkcs11-tool, an independent client, sees a key for signing only.
    auto listing = firmante::testing::run({"pkcs11-tool", "--module", SoftHsmToken::modulePath(),
                                           "--login", "--pin", SoftHsmToken::kUserPin,
                                           "--list-objects", "--type", "privkey"});
    ASSERT_EQ(listing.exitCode, 0) << listing.err;
    EXPECT_EQ(usageLine(listing.out), "sign") << listing.out;
}

INSTANTIATE_TEST_SUITE_P(RsaAndBothCurves, ImportedKey,
                         ::testing::Values(KeyType::Rsa2048, KeyType::EcP256, KeyType::EcP384),
                         firmante::testing::keyTypeTestName);
