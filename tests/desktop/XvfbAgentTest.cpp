// The agent as a person meets it on a desktop: firmante-agent under Xvfb with its own dialogs (no
// pinentry), a signature asked over its socket, and xdotool typing the PIN into the window of
// class `firmante`. OpenSSL judges the signature; Escape must give USER_CANCELLED.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <stdexcept>

#include "AgentClient.h"
#include "AgentProcess.h"
#include "TestPki.h"
#include "XvfbServer.h"
#include "firmante/agent/Base64.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;
using firmante::agent::base64Decode;
using firmante::agent::base64Encode;
using firmante::pkcs11::KeyType;
using firmante::testing::Xvfb;
using nlohmann::json;

namespace {

class XvfbAgent : public ::testing::Test {
  protected:
    void SetUp() override {
        cert = provisionCertificate(hsm, ca, "Desktop Key", KeyType::Rsa2048, false);
        firmante::testing::writeFile(agent.config().string(), "{}");
        agent.start();
        client = std::make_unique<AgentClient>(agent.socket());
        client->hello();
    }
    firmante::testing::ProcessResult xdotool(std::vector<std::string> args) {
        // A window that never comes is a failure within 30 s, not a hang until ctest's timeout.
        args.insert(args.begin(), {"timeout", "30", "xdotool"});
        return firmante::testing::run(args, {}, {{"DISPLAY", x.display()}});
    }
    // Waits (xdotool's own --sync polling, bounded by the test's timeout) for Firmante's window
    // and gives it the keyboard, as a click on it would.
    std::string firmanteWindow() {
        const auto found = xdotool({"search", "--sync", "--onlyvisible", "--class", "^firmante$"});
        EXPECT_EQ(found.exitCode, 0) << found.err;
        const std::string id = found.out.substr(0, found.out.find('\n'));
        const auto focus = xdotool({"windowfocus", "--sync", id});
        EXPECT_EQ(focus.exitCode, 0) << focus.err;
        return id;
    }
    std::future<json> signAsync(const std::string& document) {
        const std::vector<unsigned char> bytes(document.begin(), document.end());
        return std::async(std::launch::async, [this, bytes] {
            return client->call("documents.sign", {{"certificate", cert.uri},
                                                   {"document", base64Encode(bytes)},
                                                   {"fileName", "contrato.txt"}});
        });
    }

    Xvfb x;
    firmante::testing::TempDir dir{"firmante-xvfb"};
    firmante::testing::SoftHsmToken hsm{"Desktop Token"};
    TestCa ca;
    // No pinentry: an empty FIRMANTE_PINENTRY and a display make the agent use its own windows.
    AgentProcess agent{
        dir, hsm, {{"DISPLAY", x.display()}, {"FIRMANTE_PINENTRY", ""}, {"LANG", "es_MX.UTF-8"}}};
    ProvisionedCertificate cert;
    std::unique_ptr<AgentClient> client;
};

}  // namespace

TEST_F(XvfbAgent, PinTypedIntoFirmantesWindowSignsAndOpensslVerifies) {
    const std::string document = "Contrato firmado desde la ventana de Firmante.\n";
    auto response = signAsync(document);
    const auto window = firmanteWindow();
    const auto name = xdotool({"getwindowname", window});
    EXPECT_NE(name.out.find("Firmante — PIN de Desktop Token"), std::string::npos) << name.out;
    EXPECT_EQ(xdotool({"type", "--delay", "20", "123456"}).exitCode, 0);
    EXPECT_EQ(xdotool({"key", "Return"}).exitCode, 0);
    const json r = response.get();
    ASSERT_TRUE(r.contains("result")) << r.dump();

    const auto cms = *base64Decode(r["result"]["cms"].get<std::string>());
    const std::vector<unsigned char> bytes(document.begin(), document.end());
    const auto verify = opensslCmsVerify(ca, dir.path(), bytes, cms);
    EXPECT_EQ(verify.exitCode, 0) << verify.err;
    EXPECT_FALSE(std::filesystem::exists(agent.pinentryLog())) << "no pinentry was started";
}

TEST_F(XvfbAgent, EscapeInFirmantesWindowIsUserCancelled) {
    auto response = signAsync("Contrato que no se firma.\n");
    firmanteWindow();
    EXPECT_EQ(xdotool({"type", "--delay", "20", "123"}).exitCode, 0);
    EXPECT_EQ(xdotool({"key", "Escape"}).exitCode, 0);
    const json r = response.get();
    ASSERT_TRUE(r.contains("error")) << r.dump();
    EXPECT_EQ(r["error"]["data"]["reason"], "USER_CANCELLED") << r.dump();
}

TEST_F(XvfbAgent, StoppingTheAgentWithTheDialogOpenEndsItAtOnceAndCleanly) {
    auto response = signAsync("Contrato pendiente.\n");
    firmanteWindow();
    const auto started = std::chrono::steady_clock::now();
    const int status = agent.stop(SIGTERM);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_LT(took, std::chrono::seconds(5)) << "the open dialog does not hold the agent";
    try {
        const json r = response.get();
        EXPECT_TRUE(r.contains("error")) << r.dump();
    } catch (const std::exception&) {
        // The connection closed with the agent: nothing was signed either way.
    }
    EXPECT_NE(xdotool({"search", "--class", "^firmante$"}).exitCode, 0) << "no window is left";
}
