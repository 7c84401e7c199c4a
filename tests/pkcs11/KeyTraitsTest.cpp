// The key-type table (pkcs11/KeyTraits.h) held against what a token really generates, against
// RFC 7518's JWS names, and against the page API's types, so a wrong row cannot pass unseen.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include <openssl/ec.h>
#include <openssl/objects.h>

#include "KeyTypeTestName.h"
#include "RawCryptoki.h"
#include "TokenFixture.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/pkcs11/Mechanisms.h"
#include "firmante/testing/Process.h"

using namespace firmante::pkcs11;
using firmante::testing::RawCryptoki;
using firmante::testing::TokenFixture;

namespace {

// RFC 7518 §3.1, written out here rather than taken from the table under test.
struct JwsAlgorithm {
    int pkeyType;
    int digestNid;
    int curveNid;  // ES*: the curve §3.4 pairs with the digest
};
const std::map<std::string, JwsAlgorithm, std::less<>> kRfc7518 = {
    {"RS256", {EVP_PKEY_RSA, NID_sha256, NID_undef}},
    {"RS384", {EVP_PKEY_RSA, NID_sha384, NID_undef}},
    {"RS512", {EVP_PKEY_RSA, NID_sha512, NID_undef}},
    {"ES256", {EVP_PKEY_EC, NID_sha256, NID_X9_62_prime256v1}},
    {"ES384", {EVP_PKEY_EC, NID_sha384, NID_secp384r1}},
    {"ES512", {EVP_PKEY_EC, NID_sha512, NID_secp521r1}},
};

// The curve CKA_EC_PARAMS names, decoded by OpenSSL from the token's bytes.
int curveNidOf(const Bytes& ecParams) {
    const unsigned char* p = ecParams.data();
    OpenSslPtr<ASN1_OBJECT, ASN1_OBJECT_free> oid(
        d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(ecParams.size())));
    return oid ? OBJ_obj2nid(oid.get()) : NID_undef;
}

Bytes digestOf(int digestNid, const Bytes& data) {
    Bytes out(EVP_MAX_MD_SIZE);
    unsigned int n = 0;
    EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_get_digestbynid(digestNid),
                         nullptr),
              1);
    out.resize(n);
    return out;
}

// OpenSSL's verdict on a signature; an ECDSA one as Cryptoki returns it (r ‖ s) is turned into
// DER first.
bool verifies(EVP_PKEY* key, int digestNid, const Bytes& data, Bytes signature,
              bool fromCryptoki = true) {
    if (fromCryptoki && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
        const int half = static_cast<int>(signature.size() / 2);
        OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free> sig(ECDSA_SIG_new());
        ECDSA_SIG_set0(sig.get(), BN_bin2bn(signature.data(), half, nullptr),
                       BN_bin2bn(signature.data() + half, half, nullptr));
        unsigned char* der = nullptr;
        int len = i2d_ECDSA_SIG(sig.get(), &der);
        signature.assign(der, der + (len > 0 ? len : 0));
        OPENSSL_free(der);
    }
    OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
    return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_get_digestbynid(digestNid), nullptr, key) ==
               1 &&
           EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(),
                            data.size()) == 1;
}

std::string sourceFile(const std::string& relative) {
    return firmante::testing::readFile(std::string(FIRMANTE_SOURCE_DIR) + "/" + relative);
}

// The quoted members of a TypeScript union of string literals.
std::vector<std::string> literals(const std::string& unionText) {
    std::vector<std::string> out;
    std::regex literal("'([^']*)'");
    for (std::sregex_iterator it(unionText.begin(), unionText.end(), literal), end; it != end; ++it)
        out.push_back((*it)[1]);
    return out;
}

}  // namespace

class KeyTypeRow : public TokenFixture, public ::testing::WithParamInterface<KeyType> {};

TEST_P(KeyTypeRow, WhatTheTokenGeneratesIsWhatTheRowSays) {
    const KeyTraits& row = traitsOf(GetParam());
    KeyInfo key = token().generateKeyPair(row.type, "tabla");
    EXPECT_EQ(key.algorithm, row.name);

    RawCryptoki raw(module_->api(), token().slot());
    CK_OBJECT_HANDLE priv = raw.find(CKO_PRIVATE_KEY, key.id);
    CK_OBJECT_HANDLE pub = raw.find(CKO_PUBLIC_KEY, key.id);
    ASSERT_NE(priv, CK_INVALID_HANDLE);
    ASSERT_NE(pub, CK_INVALID_HANDLE);
    EXPECT_EQ(raw.number(priv, CKA_KEY_TYPE), row.keyType);
    EXPECT_EQ(raw.number(pub, CKA_KEY_TYPE), row.keyType);
    if (row.keyType == CKK_EC) {
        auto params = raw.attribute(pub, CKA_EC_PARAMS);
        ASSERT_TRUE(params);
        EXPECT_EQ(curveNidOf(*params), row.curveNid) << OBJ_nid2sn(curveNidOf(*params));
        EXPECT_TRUE(std::ranges::equal(*params, row.curve));
        const char* nist = EC_curve_nid2nist(row.curveNid);
        EXPECT_EQ(std::string(nist ? nist : "?"), row.curveName);
    } else {
        auto modulus = raw.attribute(pub, CKA_MODULUS);
        ASSERT_TRUE(modulus);
        EXPECT_EQ(modulus->size() * 8, row.bits);
        EXPECT_TRUE(row.curve.empty());
    }

    // OpenSSL reads the same type from the SPKI, and the table finds its row from it.
    auto spki = publicKeyFromSpki(key.spki);
    EXPECT_EQ(EVP_PKEY_get_base_id(spki.get()), row.pkeyType);
    EXPECT_EQ(static_cast<CK_ULONG>(EVP_PKEY_get_bits(spki.get())), row.bits);
    EXPECT_EQ(keyTraitsOf(spki.get()), &row);

    // The token signs with the row's mechanisms, for CSRs and CMS (SHA-256) and for challenges:
    // every one of them it lists (at least one per digest), checked by OpenSSL with that digest.
    auto listed = TokenMechanisms::readList(*module_, token().slot());
    const Bytes data = {'t', 'a', 'b', 'l', 'a'};
    for (int digest : {NID_sha256, EVP_MD_get_type(row.challengeDigest())}) {
        const SignatureMechanisms* m = signatureMechanismsFor(row.keyType, digest);
        ASSERT_NE(m, nullptr) << OBJ_nid2sn(digest);
        int used = 0;
        for (CK_MECHANISM_TYPE mechanism : {m->hashAndSign, m->raw}) {
            if (!listed.has(mechanism, CKF_SIGN)) continue;
            ++used;
            Bytes input = data;
            if (mechanism == m->raw) {
                input.assign(m->digestInfo.begin(), m->digestInfo.end());
                Bytes hash = digestOf(digest, data);
                input.insert(input.end(), hash.begin(), hash.end());
            }
            Bytes signature;
            ASSERT_EQ(raw.sign(priv, mechanism, input, signature), CKR_OK)
                << mechanismName(mechanism);
            EXPECT_TRUE(verifies(spki.get(), digest, data, signature))
                << mechanismName(mechanism) << " over " << OBJ_nid2sn(digest);
        }
        EXPECT_GT(used, 0) << "SoftHSM lists none of the row's mechanisms for "
                           << OBJ_nid2sn(digest);
    }
}

TEST_P(KeyTypeRow, TheJwsNameIsTheOneRfc7518GivesItsCurveAndDigest) {
    const KeyTraits& row = traitsOf(GetParam());
    auto jws = kRfc7518.find(row.jwsAlgorithm);
    ASSERT_NE(jws, kRfc7518.end()) << row.jwsAlgorithm;
    EXPECT_EQ(jws->second.pkeyType, row.pkeyType);
    EXPECT_EQ(jws->second.digestNid, EVP_MD_get_type(row.challengeDigest()));
    if (row.keyType == CKK_EC) {
        EXPECT_EQ(jws->second.curveNid, row.curveNid);
    }

    // A challenge signed on the token carries that name and verifies with RFC 7518's digest.
    KeyInfo key = token().generateKeyPair(row.type, "reto");
    const Bytes nonce = {1, 2, 3, 4};
    ChallengeSignature signature;
    {
        auto pkey = token().privateKey(key);
        signature = signChallenge(pkey.get(), "https://portal.example", nonce);
    }
    EXPECT_EQ(signature.algorithm, row.jwsAlgorithm);
    auto spki = publicKeyFromSpki(key.spki);
    Bytes message = challengeMessage("https://portal.example", nonce);
    EXPECT_TRUE(verifies(spki.get(), jws->second.digestNid, message, signature.signature, false));
}

INSTANTIATE_TEST_SUITE_P(EveryType, KeyTypeRow,
                         ::testing::ValuesIn(firmante::testing::allKeyTypes()),
                         firmante::testing::keyTypeTestName);

TEST(KeyTraits, NamesParseBackToTheirRowAndUnknownNamesListTheTable) {
    for (const auto& row : allKeyTraits()) EXPECT_EQ(parseKeyType(row.name), row.type);
    try {
        parseKeyType("dsa-1024");
        FAIL() << "an unknown type was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::InvalidParams);
        EXPECT_NE(std::string(e.what()).find(keyTypeNames(", ", " or ")), std::string::npos)
            << e.what();
    }
    std::string joined;
    for (const auto& row : allKeyTraits())
        joined += (joined.empty() ? "" : "|") + std::string(row.name);
    EXPECT_EQ(keyTypeNames("|"), joined);
    EXPECT_TRUE(keyTypeNames(", ", " or ")
                    .ends_with(" or " + std::string(kKeyTraits[std::size(kKeyTraits) - 1].name)));
}

TEST(KeyTraits, ThePageApiTypesNameExactlyTheTablesKeyTypesAndJwsAlgorithms) {
    const std::string dts = sourceFile("extension/page-api/firmante.d.ts");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(dts, m, std::regex(R"(export type KeyType = ([^;]*);)")));
    std::vector<std::string> names;
    for (const auto& row : allKeyTraits()) names.emplace_back(row.name);
    EXPECT_EQ(literals(m[1]), names) << "extension/page-api/firmante.d.ts: KeyType";

    ASSERT_TRUE(std::regex_search(
        dts, m, std::regex(R"(interface ChallengeSignature \{[^}]*algorithm: ([^;]*);)")));
    auto declared = literals(m[1]);
    std::set<std::string> jws;
    for (const auto& row : allKeyTraits()) jws.emplace(row.jwsAlgorithm);
    EXPECT_EQ(std::set<std::string>(declared.begin(), declared.end()), jws)
        << "extension/page-api/firmante.d.ts: ChallengeSignature.algorithm";
}
