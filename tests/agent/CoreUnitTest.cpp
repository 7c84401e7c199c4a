// Unit tests of the agent core's pieces that need no token and no process.
#include <gtest/gtest.h>

#include <string>

#include "firmante/agent/AgentConfig.h"
#include "firmante/agent/Base64.h"
#include "firmante/agent/ConfigStore.h"
#include "firmante/agent/Hello.h"
#include "firmante/agent/Logging.h"
#include "firmante/agent/Origin.h"
#include "firmante/agent/ParamReader.h"
#include "firmante/agent/PromptAuthorizer.h"
#include "firmante/agent/RequestParser.h"
#include "firmante/agent/RpcError.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/PeerCredentials.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/TempDir.h"

using namespace firmante::agent;
using nlohmann::json;

namespace {

std::string reasonOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const RpcError& e) {
        return e.reason();
    }
    return "none";
}

}  // namespace

TEST(CoreUnit, Base64RoundTripsAndRefusesNonCanonicalText) {
    const std::vector<unsigned char> bytes = {0, 1, 2, 250, 251, 252, 253};
    for (std::size_t n = 0; n <= bytes.size(); ++n) {
        std::vector<unsigned char> part(bytes.begin(), bytes.begin() + n);
        EXPECT_EQ(base64Decode(base64Encode(part)), part);
    }
    EXPECT_FALSE(base64Decode("QQ"));        // padding missing
    EXPECT_FALSE(base64Decode("QR=="));      // stray bits under the padding
    EXPECT_FALSE(base64Decode("QQ==QQ=="));  // data after padding
    EXPECT_FALSE(base64Decode("Q Q="));      // whitespace
    EXPECT_EQ(base64DecodedSize("QUJD"), 3u);
}

TEST(CoreUnit, DeepNestingIsRefusedBeforeParsing) {
    const std::string deep(10000, '[');
    EXPECT_EQ(jsonNestingDepth(deep, 32), 33u);  // stops counting right past the limit
    EXPECT_EQ(reasonOf([&] { parseRequestText(deep, 32); }), "TOO_LARGE");
    // Brackets inside strings do not count.
    EXPECT_EQ(jsonNestingDepth(R"({"a":"[[[[[[[[\"[[["})", 32), 1u);
}

TEST(CoreUnit, InvalidUtf8AndMalformedJsonAreParseErrors) {
    EXPECT_EQ(reasonOf([] { parseRequestText("{\"a\":\"\xC3\x28\"}", 32); }), "PARSE_ERROR");
    EXPECT_EQ(reasonOf([] { parseRequestText("{\"a\":", 32); }), "PARSE_ERROR");
    EXPECT_NO_THROW(parseRequestText(R"({"jsonrpc":"2.0","id":1,"method":"agent.info"})", 32));
}

TEST(CoreUnit, PinMembersAreFoundAnywhereInParams) {
    EXPECT_TRUE(containsSecretMember(json::parse(R"({"pin":"1"})")));
    EXPECT_TRUE(containsSecretMember(json::parse(R"({"a":[{"b":{"userPIN":"1"}}]})")));
    EXPECT_TRUE(containsSecretMember(json::parse(R"({"password":"x"})")));
    EXPECT_FALSE(containsSecretMember(json::parse(R"({"certificate":"pkcs11:id=%01"})")));
}

TEST(CoreUnit, OriginsMustBeSchemeHostAndPort) {
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

TEST(CoreUnit, RefusalsAreRememberedPerRegistrableSite) {
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

TEST(CoreUnit, PeerOfAnotherUidOrUnknownIsRefused) {
    // SO_PEERCRED itself is exercised in AgentIpc when the tests run as root; this is the rule.
    using firmante::protocol::peerAllowed;
    using firmante::protocol::PeerCredentials;
    EXPECT_TRUE(peerAllowed(PeerCredentials{123, 1000, 1000}, 1000));
    EXPECT_FALSE(peerAllowed(PeerCredentials{123, 1001, 1000}, 1000));
    EXPECT_FALSE(peerAllowed(PeerCredentials{123, 0, 0}, 1000));  // not even root
    EXPECT_FALSE(peerAllowed(std::nullopt, 1000));
}

TEST(CoreUnit, ParamReaderChecksTypesLengthsAndBase64) {
    const auto params = json::parse(R"({"nonce":"AAECAwQFBgcICQoLDA0ODw==","name":"x",
        "big":"QUFBQUFBQUFBQUFBQUFBQUFBQUFB","uri":"pkcs11:token=T;id=%01;type=cert","n":5})");
    ParamReader p(params);
    EXPECT_EQ(p.base64("nonce", 16, 256).size(), 16u);
    EXPECT_EQ(reasonOf([&] { p.base64("nonce", 17, 256); }), "INVALID_PARAMS");
    EXPECT_EQ(reasonOf([&] { p.base64("big", 1, 8); }), "TOO_LARGE");
    EXPECT_EQ(reasonOf([&] { p.string("n", 10); }), "INVALID_PARAMS");
    EXPECT_EQ(reasonOf([&] { p.string("missing", 10); }), "INVALID_PARAMS");
    EXPECT_EQ(reasonOf([&] { p.allowOnly({"nonce"}); }), "INVALID_PARAMS");
    EXPECT_EQ(p.uri("uri").token.value_or(""), "T");
    EXPECT_EQ(reasonOf([&] { p.uri("name"); }), "INVALID_PARAMS");
    EXPECT_EQ(reasonOf([] { (void)ParamReader(json::array()); }), "INVALID_PARAMS");
    EXPECT_EQ(reasonOf([] {
                  ParamReader(json{{"f", "../etc/passwd"}}).fileName("f");
              }),
              "INVALID_PARAMS");
}

TEST(CoreUnit, HelloAcceptsCliAndNativeMessagingAndRefusesOtherVersions) {
    auto hello = [](json params) {
        return json{
            {"jsonrpc", "2.0"}, {"id", "hello"}, {"method", "transport.hello"}, {"params", params}};
    };
    auto cli = acceptHello(hello({{"transport", "cli"}, {"protocolVersion", 1}}), 7);
    EXPECT_EQ(cli.kind, ConnectionContext::Kind::Cli);
    EXPECT_FALSE(cli.attestedOrigin);
    auto portal = acceptHello(
        hello({{"transport", "cli"}, {"protocolVersion", 1}, {"origin", "http://127.0.0.1:9"}}), 7);
    EXPECT_EQ(portal.attestedOrigin.value_or(""), "http://127.0.0.1:9");
    auto nm = acceptHello(hello({{"transport", "native-messaging"},
                                 {"protocolVersion", 1},
                                 {"browser", "chromium"},
                                 {"extensionId", "abcdefghijklmnopabcdefghijklmnop"}}),
                          8);
    EXPECT_EQ(nm.kind, ConnectionContext::Kind::NativeMessaging);
    EXPECT_EQ(reasonOf([&] {
                  acceptHello(hello({{"transport", "cli"}, {"protocolVersion", 2}}), 1);
              }),
              "VERSION_MISMATCH");
    EXPECT_EQ(reasonOf([&] {
                  acceptHello(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "agent.info"}}, 1);
              }),
              "INVALID_REQUEST");
    EXPECT_EQ(reasonOf([&] {
                  acceptHello(hello({{"transport", "native-messaging"},
                                     {"protocolVersion", 1},
                                     {"extensionId", "NOT-AN-ID"}}),
                              1);
              }),
              "INVALID_PARAMS");
}

TEST(CoreUnit, RememberedOriginRewritesConfigKeepingOtherMembers) {
    firmante::testing::TempDir dir;
    const auto path = dir / "config.json";
    firmante::testing::writeFile(
        path.string(), R"({"module":"/x.so","allowedOrigins":["https://a.example"],"custom":42})");
    ConfigStore store(path, AgentConfig::load(path));
    EXPECT_TRUE(store.originAllowed("local"));
    EXPECT_TRUE(store.originAllowed("https://a.example"));
    EXPECT_FALSE(store.originAllowed("https://b.example"));
    store.rememberOrigin("https://b.example");
    EXPECT_TRUE(store.originAllowed("https://b.example"));
    const auto written = json::parse(firmante::testing::readFile(path.string()));
    EXPECT_EQ(written["custom"], 42);
    EXPECT_EQ(written["module"], "/x.so");
    EXPECT_EQ(written["allowedOrigins"], json({"https://a.example", "https://b.example"}));
}

TEST(CoreUnit, ConfigRefusesLimitsThatWouldDisableAProtection) {
    EXPECT_THROW(AgentConfig::fromJson(json{{"limits", {{"maxFrameBytes", 1ull << 33}}}}),
                 std::runtime_error);
    EXPECT_THROW(AgentConfig::fromJson(json{{"allowedOrigins", {"https://a.example/x"}}}),
                 std::runtime_error);
    EXPECT_EQ(AgentConfig::fromJson(json{{"limits", {{"maxJsonDepth", 8}}}}).limits.maxJsonDepth,
              8u);
}

TEST(CoreUnit, PinPromptShowsOriginOperationDocumentAndTriesWarning) {
    firmante::renewal::OperationDescription what;
    what.origin = "https://portal.example";
    what.operation = "Firmar el documento «carta.pdf»";
    what.operationEn = "Sign the document 'carta.pdf'";
    what.fileName = "carta.pdf";
    what.documentSha256Hex = std::string(64, 'a');
    what.tokenLabel = "Mi Token";
    what.keyLabel = "Firma 2026";
    what.check = "La carta contiene la llave nueva";
    firmante::pkcs11::TokenInfo token;
    token.label = "Mi Token";
    auto text = PromptAuthorizer::pinText(what, token);
    for (const char* expected :
         {"https://portal.example", "Firmar el documento", "carta.pdf", "Sign the document",
          "Mi Token", "Firma 2026", "La carta contiene la llave nueva"}) {
        EXPECT_NE(text.description.find(expected), std::string::npos) << expected;
    }
    EXPECT_NE(text.description.find(std::string(64, 'a')), std::string::npos);
    // Spanish first, English under it.
    EXPECT_LT(text.description.find("Operación"), text.description.find("Operation"));
    EXPECT_FALSE(text.error);
    token.pinCountLow = true;
    EXPECT_TRUE(PromptAuthorizer::pinText(what, token).error);
    token.pinFinalTry = true;
    EXPECT_NE(PromptAuthorizer::pinText(what, token).error->find("último intento"),
              std::string::npos);
}

TEST(CoreUnit, LibraryErrorsKeepTheirReasonAndTriesHint) {
    firmante::pkcs11::Error error(firmante::pkcs11::Reason::PinIncorrect, "wrong PIN", "C_Login");
    error.setTries(1, true);
    const auto rpc = RpcError::from(error);
    const auto j = rpc.toJson();
    EXPECT_EQ(j["code"], -32000);
    EXPECT_EQ(j["data"]["reason"], "PIN_INCORRECT");
    EXPECT_EQ(j["data"]["triesLeft"], 1);
    EXPECT_EQ(j["data"]["pinCountLow"], true);
    // From the one reason table (protocol/reasons.json): a page can offer a retry and show a
    // sentence without a table of its own.
    EXPECT_EQ(j["data"]["retriable"], true);
    EXPECT_EQ(j["data"]["messageEs"], "El PIN es incorrecto.");
    EXPECT_EQ(j["data"]["messageEn"], "The PIN is incorrect.");
    const auto locked = RpcError::from(
        firmante::pkcs11::Error(firmante::pkcs11::Reason::PinLocked, "locked", "C_Login"));
    EXPECT_EQ(locked.toJson()["data"]["retriable"], false);
    EXPECT_EQ(RpcError("INVALID_PARAMS", "x").toJson()["code"], -32602);
    EXPECT_EQ(RpcError::from(std::runtime_error("secret detail")).reason(), "INTERNAL");
    EXPECT_EQ(
        std::string(RpcError::from(std::runtime_error("secret detail")).what()).find("secret"),
        std::string::npos);
}

TEST(CoreUnit, TextFromAPageCannotForgeLogLines) {
    // The prompt sanitiser: a newline shows as its hex pair, the limit counts the ellipsis.
    EXPECT_EQ(printable("id\n2026-01-01 info forged"), "id\\0A2026-01-01 info forged");
    EXPECT_EQ(printable(std::string(300, 'x'), 10), std::string(9, 'x') + "…");
}
