// Issue 12, idle RSS headless: Qt and poppler are modules firmante-agent opens only when it shows
// its own windows (firmante-desktop.so) or reads a PDF (firmante-pdf.so). What a process mapped
// is read from the kernel (/proc/<pid>/maps), not from our code.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "AgentClient.h"
#include "AgentProcess.h"
#include "XvfbServer.h"
#include "firmante/testing/Process.h"

using namespace firmante::agent::testing;

namespace {

std::string maps(pid_t pid) {
    return firmante::testing::readFile("/proc/" + std::to_string(pid) + "/maps");
}

std::string rss(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:")) return line;
    return "VmRSS: ?";
}

}  // namespace

TEST(HeadlessAgent, MapsNeitherQtNorPopplerUntilItNeedsThem) {
    firmante::testing::TempDir dir{"firmante-headless"};
    firmante::testing::SoftHsmToken hsm{"Headless Token"};
    // Headless: no display, pinentry (the fake one AgentProcess gives).
    AgentProcess headless{dir, hsm, {{"DISPLAY", ""}, {"WAYLAND_DISPLAY", ""}}};
    firmante::testing::writeFile(headless.config().string(), "{}");
    headless.start();
    AgentClient client(headless.socket());
    client.hello();
    const auto tokens = client.call("tokens.list", nlohmann::json::object());
    ASSERT_TRUE(tokens.contains("result")) << tokens.dump();
    const std::string mapped = maps(headless.pid());
    ASSERT_NE(mapped.find("libcrypto.so"), std::string::npos);  // the maps are really read
    EXPECT_EQ(mapped.find("libQt6"), std::string::npos);
    EXPECT_EQ(mapped.find("firmante-desktop.so"), std::string::npos);
    EXPECT_EQ(mapped.find("libpoppler"), std::string::npos);
    EXPECT_EQ(mapped.find("firmante-pdf.so"), std::string::npos);
    std::cout << "headless agent, after tokens.list: " << rss(headless.pid()) << "\n";

    // The same binary with a display opens its windows' module, and Qt with it.
    firmante::testing::Xvfb x;
    firmante::testing::TempDir desktopDir{"firmante-headless-desk"};
    AgentProcess desktop{desktopDir, hsm, {{"DISPLAY", x.display()}, {"FIRMANTE_PINENTRY", ""}}};
    firmante::testing::writeFile(desktop.config().string(), "{}");
    desktop.start();
    AgentClient desktopClient(desktop.socket());
    desktopClient.hello();
    const std::string desktopMapped = maps(desktop.pid());
    EXPECT_NE(desktopMapped.find("firmante-desktop.so"), std::string::npos);
    EXPECT_NE(desktopMapped.find("libQt6Widgets"), std::string::npos);
    std::cout << "agent with its own windows: " << rss(desktop.pid()) << "\n";
}
