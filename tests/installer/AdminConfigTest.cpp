// The administrator's config (/etc/firmante/config.json; FIRMANTE_ADMIN_CONFIG here) approves
// sites for every user: the real agent serves such a site without asking the person, never
// writes it into the person's file, and refuses a file others could have edited.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "AgentClient.h"
#include "AgentProcess.h"
#include "AgentTestUtil.h"
#include "firmante/testing/Process.h"

namespace {

namespace fs = std::filesystem;
using namespace firmante::agent::testing;
using nlohmann::json;

constexpr const char* kAdminSite = "https://portal.example";

class InstallerAdminConfig : public ::testing::Test {
  protected:
    void SetUp() override {
        firmante::testing::writeFile(admin_.string(),
                                     json{{"allowedOrigins", {kAdminSite}}}.dump());
        ::chmod(admin_.c_str(), 0644);
    }
    json tokensListFrom(AgentProcess& agent, const std::string& origin) {
        AgentClient client(agent.socket());
        const auto hello = client.hello(
            "native-messaging",
            {{"browser", "chromium"}, {"extensionId", "abcdefghijklmnopabcdefghijklmnop"}});
        EXPECT_TRUE(hello.contains("result")) << hello.dump();
        return client.call("tokens.list", nullptr, {{"origin", origin}});
    }

    firmante::testing::TempDir dir_{"firmante-admin-config"};
    firmante::testing::SoftHsmToken hsm_;
    fs::path admin_ = dir_ / "admin-config.json";
};

TEST_F(InstallerAdminConfig, SiteApprovedByTheAdministratorIsServedWithoutAsking) {
    AgentProcess agent(dir_, hsm_, {{"FIRMANTE_ADMIN_CONFIG", admin_.string()}});
    agent.script("confirm no\n");  // were the person asked, the answer would be no
    agent.start();
    const auto reply = tokensListFrom(agent, kAdminSite);
    ASSERT_TRUE(reply.contains("result")) << reply.dump();
    EXPECT_TRUE(promptsShown(agent.pinentryLog()).empty());
    // The person's own file is left as it was: the approval is the administrator's.
    EXPECT_FALSE(fs::exists(agent.config()));
    // Other sites still need the person.
    EXPECT_EQ(reasonOf(tokensListFrom(agent, "https://other.example")), "ORIGIN_NOT_ALLOWED");
}

TEST_F(InstallerAdminConfig, AgentRefusesAnAdminConfigOthersCanWrite) {
    ::chmod(admin_.c_str(), 0666);
    AgentProcess agent(dir_, hsm_, {{"FIRMANTE_ADMIN_CONFIG", admin_.string()}});
    EXPECT_THROW(agent.start(), std::runtime_error);
    EXPECT_NE(firmante::testing::readFile(agent.stderrFile().string()).find("writable by others"),
              std::string::npos);
}

}  // namespace
