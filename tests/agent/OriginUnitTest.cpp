// Who may ask: origin syntax, refusals remembered per site, the peer's uid.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "firmante/agent/Origin.h"
#include "firmante/agent/OriginPolicy.h"
#include "firmante/protocol/PeerCredentials.h"

using namespace firmante::agent;
using nlohmann::json;

TEST(OriginRules, OriginsMustBeSchemeHostAndPort) {
    EXPECT_TRUE(isValidOrigin("local"));
    EXPECT_TRUE(isValidOrigin("http://127.0.0.1:8080"));
    EXPECT_TRUE(isValidOrigin("https://idse.imss.gob.mx"));
    EXPECT_TRUE(isValidOrigin("chrome-extension://abcdefghijklmnopabcdefghijklmnop"));
    EXPECT_FALSE(isValidOrigin("https://a.example/path"));
    EXPECT_FALSE(isValidOrigin("https://user@a.example"));
    EXPECT_FALSE(isValidOrigin("ftp://a.example"));
    EXPECT_FALSE(isValidOrigin("https://a.example:99999x"));
    EXPECT_FALSE(isValidOrigin(""));
    // An empty host names no site (issue 9 §9).
    EXPECT_FALSE(isValidOrigin("http://:8080"));
    EXPECT_FALSE(isValidOrigin("https://:443"));
    EXPECT_FALSE(isValidOrigin("http://[]:8080"));
}

TEST(OriginRules, RefusalsAreRememberedPerRegistrableSite) {
    EXPECT_EQ(siteOf("https://a.evil.example"), "evil.example");
    EXPECT_EQ(siteOf("http://B.Evil.Example:8080"), "evil.example");
    EXPECT_EQ(siteOf("https://evil.example"), "evil.example");
    // Public suffixes of Mexico: each registrant is its own site.
    EXPECT_EQ(siteOf("https://idse.imss.gob.mx"), "imss.gob.mx");
    EXPECT_NE(siteOf("https://imss.gob.mx"), siteOf("https://sat.gob.mx"));
    EXPECT_EQ(siteOf("https://www.empresa.com.mx"), "empresa.com.mx");
    // Addresses and single names stand alone; so do extensions.
    EXPECT_EQ(siteOf("http://127.0.0.1:8080"), "127.0.0.1");
    EXPECT_NE(siteOf("http://127.0.0.2:8080"), siteOf("http://127.0.0.1:8080"));
    EXPECT_EQ(siteOf("http://localhost:3000"), "localhost");
    EXPECT_EQ(siteOf("http://[::1]:8080"), "[::1]");
    EXPECT_EQ(siteOf("chrome-extension://abcdefghijklmnopabcdefghijklmnop"),
              "chrome-extension://abcdefghijklmnopabcdefghijklmnop");
}

TEST(OriginRules, PeerOfAnotherUidOrUnknownIsRefused) {
    // SO_PEERCRED itself is exercised in AgentIpc when the tests run as root; this is the rule.
    using firmante::protocol::peerAllowed;
    using firmante::protocol::PeerCredentials;
    EXPECT_TRUE(peerAllowed(PeerCredentials{123, 1000, 1000}, 1000));
    EXPECT_FALSE(peerAllowed(PeerCredentials{123, 1001, 1000}, 1000));
    EXPECT_FALSE(peerAllowed(PeerCredentials{123, 0, 0}, 1000));  // not even root
    EXPECT_FALSE(peerAllowed(std::nullopt, 1000));
}
