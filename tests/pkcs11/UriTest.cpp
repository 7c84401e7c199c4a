#include <gtest/gtest.h>

#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Uri.h"

using namespace firmante::pkcs11;

TEST(Uri, ParsesTokenIdAndTypeAndFormatsThemBack) {
    auto uri = Uri::parse("pkcs11:token=Mi%20Token;id=%01%ab;type=private");
    ASSERT_TRUE(uri.token);
    EXPECT_EQ(*uri.token, "Mi Token");
    ASSERT_TRUE(uri.id);
    EXPECT_EQ(*uri.id, (std::vector<unsigned char>{0x01, 0xab}));
    EXPECT_EQ(*uri.type, "private");
    EXPECT_EQ(uri.str(), "pkcs11:token=Mi%20Token;id=%01%ab;type=private");
    EXPECT_EQ(Uri::parse(uri.str()), uri);
}

TEST(Uri, RoundTripsEveryByteOfAnId) {
    Uri uri;
    uri.id = std::vector<unsigned char>();
    for (int i = 0; i < 256; ++i) uri.id->push_back(static_cast<unsigned char>(i));
    uri.object = "Carta; con=raros/%";
    EXPECT_EQ(Uri::parse(uri.str()), uri);
}

TEST(Uri, RefusesQueryAttributesSoAPinCannotTravelInAUri) {
    try {
        Uri::parse("pkcs11:token=T?pin-value=1234");
        FAIL() << "accepted a pin-value";
    } catch (const Error& e) {
        EXPECT_EQ(e.reason(), Reason::InvalidParams);
        EXPECT_EQ(std::string(e.what()).find("1234"), std::string::npos);
    }
}

TEST(Uri, RefusesMalformedInput) {
    for (const char* bad : {"pkcs12:token=a", "pkcs11:token", "pkcs11:id=%0", "pkcs11:id=%zz",
                            "pkcs11:color=red", "pkcs11:type=secret"}) {
        EXPECT_THROW(Uri::parse(bad), Error) << bad;
    }
    EXPECT_THROW(Uri::parse("pkcs11:token=" + std::string(5000, 'a')), Error);
}

TEST(Uri, MatchesOnlyTheTokenItNames) {
    auto uri = Uri::parse("pkcs11:token=A;serial=123");
    EXPECT_TRUE(uri.matchesToken("A", "m", "x", "123"));
    EXPECT_FALSE(uri.matchesToken("A", "m", "x", "124"));
    EXPECT_FALSE(uri.matchesToken("B", "m", "x", "123"));
}
