#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "firmante/nm/ExtensionId.h"
#include "firmante/protocol/AgentSocketPath.h"

using namespace firmante::nm;

namespace {

std::vector<std::uint8_t> readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

CallerInfo parse(std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> v(args);
    return parseCallerArguments(v);
}

constexpr std::string_view kId = "booeiannpdjccdhgcnoncmlkejjkanao";

}  // namespace

TEST(FramingExtensionId, IdFromPublicKeyMatchesAnIndependentlyComputedVector) {
    // Expected value from sha256sum + tr, see data/README.md.
    const auto der = readFile(std::string(FIRMANTE_NM_TEST_DATA) + "/extension-key.der");
    ASSERT_EQ(der.size(), 294u);
    EXPECT_EQ(extensionIdFromPublicKeyDer(der), kId);
}

TEST(FramingExtensionId, IdOfEmptyInputIsTheMappedSha256OfNothing) {
    // SHA-256("") = e3b0c44298fc1c149afbf4c8996fb924..., mapped 0-f → a-p.
    EXPECT_EQ(extensionIdFromPublicKeyDer({}), "odlameecjipmbmbejkplpemijjgpljce");
}

TEST(FramingExtensionId, ChromiumCallerArgumentIsParsed) {
    const CallerInfo caller = parse({"chrome-extension://booeiannpdjccdhgcnoncmlkejjkanao/"});
    EXPECT_EQ(caller.browser, Browser::Chromium);
    EXPECT_EQ(caller.extensionId, kId);
}

TEST(FramingExtensionId, WindowsParentWindowArgumentIsIgnored) {
    const CallerInfo caller =
        parse({"chrome-extension://booeiannpdjccdhgcnoncmlkejjkanao/", "--parent-window=1234"});
    EXPECT_EQ(caller.browser, Browser::Chromium);
    EXPECT_EQ(caller.extensionId, kId);
}

TEST(FramingExtensionId, FirefoxCallerArgumentsAreParsed) {
    const CallerInfo caller =
        parse({"/home/u/.mozilla/native-messaging-hosts/org.firmante.agent.json",
               "firmante@firmante.org"});
    EXPECT_EQ(caller.browser, Browser::Firefox);
    EXPECT_EQ(caller.extensionId, "firmante@firmante.org");
    EXPECT_EQ(caller.manifestPath,
              "/home/u/.mozilla/native-messaging-hosts/org.firmante.agent.json");
}

TEST(FramingExtensionId, MalformedCallerArgumentsAreRejected) {
    EXPECT_THROW(parse({}), std::invalid_argument);
    // Missing trailing slash, wrong length, letters outside a-p, wrong scheme.
    EXPECT_THROW(parse({"chrome-extension://booeiannpdjccdhgcnoncmlkejjkanao"}),
                 std::invalid_argument);
    EXPECT_THROW(parse({"chrome-extension://booeiannpdjccdhgcnoncmlkejjkana/"}),
                 std::invalid_argument);
    EXPECT_THROW(parse({"chrome-extension://booeiannpdjccdhgcnoncmlkejjkanaz/"}),
                 std::invalid_argument);
    EXPECT_THROW(parse({"moz-extension://booeiannpdjccdhgcnoncmlkejjkanao/"}),
                 std::invalid_argument);
    EXPECT_THROW(parse({"/path/manifest.json", "has space"}), std::invalid_argument);
    EXPECT_THROW(parse({"a", "b", "c"}), std::invalid_argument);
}

TEST(FramingExtensionId, OnlyListedIdsAreAllowedAndAnEmptyListAllowsNobody) {
    const CallerInfo chromium{Browser::Chromium, std::string(kId), {}};
    const CallerInfo firefox{Browser::Firefox, "firmante@firmante.org", "/m.json"};
    EXPECT_TRUE(callerAllowed(chromium, {std::string(kId)}, {}));
    EXPECT_FALSE(callerAllowed(chromium, {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, {}));
    EXPECT_FALSE(callerAllowed(chromium, {}, {std::string(kId)}));
    EXPECT_TRUE(callerAllowed(firefox, {}, {"firmante@firmante.org"}));
    EXPECT_FALSE(callerAllowed(firefox, {"firmante@firmante.org"}, {}));
}

TEST(FramingAgentSocketPath, ExplicitSocketWinsOverTheRuntimeDirectoryWhichWinsOverTmp) {
    using firmante::protocol::agentSocketPath;
    ::setenv("FIRMANTE_SOCKET", "/tmp/x/agent.sock", 1);
    ::setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
    EXPECT_EQ(agentSocketPath(), "/tmp/x/agent.sock");
    ::unsetenv("FIRMANTE_SOCKET");
    EXPECT_EQ(agentSocketPath(), "/run/user/1000/firmante/agent.sock");
    ::setenv("XDG_RUNTIME_DIR", "", 1);  // empty counts as unset, as for the agent
    EXPECT_EQ(agentSocketPath(), "/tmp/firmante-" + std::to_string(::getuid()) + "/agent.sock");
    ::unsetenv("XDG_RUNTIME_DIR");
    EXPECT_EQ(agentSocketPath(), "/tmp/firmante-" + std::to_string(::getuid()) + "/agent.sock");
}
