// The request path's pieces that need no token and no process: parsing, parameters, the
// hello, errors on the wire.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "firmante/agent/Base64.h"
#include "firmante/agent/Hello.h"
#include "firmante/agent/MethodTable.h"
#include "firmante/agent/ParamReader.h"
#include "firmante/agent/RequestParser.h"
#include "firmante/agent/RpcError.h"
#include "firmante/pkcs11/Error.h"

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

TEST(Request, Base64RoundTripsAndRefusesNonCanonicalText) {
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

TEST(Request, DeepNestingIsRefusedBeforeParsing) {
    const std::string deep(10000, '[');
    EXPECT_EQ(jsonNestingDepth(deep, 32), 33u);  // stops counting right past the limit
    EXPECT_EQ(reasonOf([&] { parseRequestText(deep, 32); }), "TOO_LARGE");
    // Brackets inside strings do not count.
    EXPECT_EQ(jsonNestingDepth(R"({"a":"[[[[[[[[\"[[["})", 32), 1u);
}

TEST(Request, InvalidUtf8AndMalformedJsonAreParseErrors) {
    EXPECT_EQ(reasonOf([] { parseRequestText("{\"a\":\"\xC3\x28\"}", 32); }), "PARSE_ERROR");
    EXPECT_EQ(reasonOf([] { parseRequestText("{\"a\":", 32); }), "PARSE_ERROR");
    EXPECT_NO_THROW(parseRequestText(R"({"jsonrpc":"2.0","id":1,"method":"agent.info"})", 32));
}

TEST(Request, PinMembersAreFoundAnywhereInParams) {
    EXPECT_TRUE(containsSecretMember(json::parse(R"({"pin":"1"})")));
    EXPECT_TRUE(containsSecretMember(json::parse(R"({"a":[{"b":{"userPIN":"1"}}]})")));
    EXPECT_TRUE(containsSecretMember(json::parse(R"({"password":"x"})")));
    EXPECT_FALSE(containsSecretMember(json::parse(R"({"certificate":"pkcs11:id=%01"})")));
}

TEST(Request, ParamReaderChecksTypesLengthsAndBase64) {
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

TEST(Request, HelloAcceptsCliAndNativeMessagingAndRefusesOtherVersions) {
    auto hello = [](json params) {
        return json{
            {"jsonrpc", "2.0"}, {"id", "hello"}, {"method", "transport.hello"}, {"params", params}};
    };
    auto cli = acceptHello(hello({{"transport", "cli"}, {"protocolVersion", 1}}), 7);
    EXPECT_EQ(cli.kind, ConnectionContext::Kind::Cli);
    EXPECT_EQ(cli.origin, "local");
    auto portal = acceptHello(
        hello({{"transport", "cli"}, {"protocolVersion", 1}, {"origin", "http://127.0.0.1:9"}}), 7);
    EXPECT_EQ(portal.origin, "http://127.0.0.1:9");
    auto nm = acceptHello(hello({{"transport", "native-messaging"},
                                 {"protocolVersion", 1},
                                 {"browser", "chromium"},
                                 {"extensionId", "abcdefghijklmnopabcdefghijklmnop"}}),
                          8);
    EXPECT_EQ(nm.kind, ConnectionContext::Kind::NativeMessaging);
    EXPECT_TRUE(nm.originPerRequest);
    EXPECT_FALSE(cli.originPerRequest);
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

TEST(Request, LibraryErrorsKeepTheirReasonAndTriesHint) {
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

// Issue 10 §2: a method exists only as a row of protocol/methods.json plus its handler; a handler
// for a name the table lacks, a name registered twice, or a row without a handler stops the agent
// at start-up, so the table and the agent cannot drift.
TEST(MethodTable, AcceptsOnlyTheRowsOfMethodsJsonOnceEach) {
    MethodTable table;
    auto none = [](const RequestContext&, const json&) { return MethodPlan{}; };
    EXPECT_THROW(table.add("tokens.delete_everything", none), std::logic_error);
    table.add("tokens.list", none);
    EXPECT_THROW(table.add("tokens.list", none), std::logic_error);
    try {
        table.requireComplete();
        FAIL() << "a table with one handler is not complete";
    } catch (const std::logic_error& e) {
        EXPECT_NE(std::string(e.what()).find("has no handler"), std::string::npos) << e.what();
    }
    for (const auto& row : firmante::protocol::methods::kTable)
        if (row.name != "tokens.list") table.add(row.name, none);
    EXPECT_NO_THROW(table.requireComplete());
    ASSERT_NE(table.find("renewal.status"), nullptr);
    EXPECT_TRUE(table.find("renewal.status")->info->extensionPages);
    EXPECT_FALSE(table.find("agent.info")->info->needsOrigin);
    EXPECT_EQ(table.find("renewal.nothing"), nullptr);
}
