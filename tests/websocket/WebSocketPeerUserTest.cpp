// DESIGN §3: only the person's own processes reach the agent. Another local user who connects to
// the loopback WebSocket with the forged Origin of an allowed site gets nothing — no upgrade, no
// certificates, no prompt — while the same client run as the agent's user is served. And when
// another program holds the port, agent.info and the log say so.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "WebSocketFixture.h"

using namespace firmante::websocket::testing;
using nlohmann::json;

namespace {

/// A throwaway system user, created for one test and removed after it (CI runs as root).
class OtherUser {
  public:
    OtherUser() : name_("fwstest" + std::to_string(::getpid() % 1000000)) {
        const auto made = firmante::testing::run(
            {"useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name_});
        if (made.exitCode != 0) throw std::runtime_error("useradd: " + made.err);
        const passwd* entry = ::getpwnam(name_.c_str());
        if (entry == nullptr) throw std::runtime_error("useradd made no " + name_);
        uid_ = entry->pw_uid;
        gid_ = entry->pw_gid;
    }
    ~OtherUser() { firmante::testing::run({"userdel", name_}); }
    OtherUser(const OtherUser&) = delete;
    OtherUser& operator=(const OtherUser&) = delete;

    uid_t uid() const { return uid_; }
    /// Runs argv as this user (real and effective uid and gid, no supplementary groups).
    firmante::testing::ProcessResult run(std::vector<std::string> argv) const {
        std::vector<std::string> full = {"setpriv", "--reuid=" + std::to_string(uid_),
                                         "--regid=" + std::to_string(gid_), "--clear-groups", "--"};
        full.insert(full.end(), argv.begin(), argv.end());
        return firmante::testing::run(full);
    }

  private:
    std::string name_;
    uid_t uid_ = 0;
    gid_t gid_ = 0;
};

json probe(const firmante::testing::ProcessResult& result) {
    EXPECT_EQ(result.exitCode, 0) << result.err;
    return json::parse(result.out);
}

class WebSocketPeerUser : public WebSocketFixture {};

}  // namespace

TEST_F(WebSocketPeerUser, AnotherUserWithAForgedAllowedOriginGetsNothing) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a second user (CI runs as root)";
    startAgent();
    const OtherUser stranger;
    const std::string port = std::to_string(this->port);

    const auto theirs = probe(stranger.run({FIRMANTE_WS_PROBE, port, kAllowedOrigin}));
    EXPECT_EQ(theirs["status"], 0) << theirs.dump();
    EXPECT_FALSE(theirs.contains("certificates")) << theirs.dump();
    EXPECT_TRUE(prompts().empty());
    const auto log = firmante::testing::readFile(agent.stderrFile().string());
    EXPECT_NE(log.find("connection from uid " + std::to_string(stranger.uid()) + " refused"),
              std::string::npos)
        << log;

    // The same program as the agent's own user is served: the refusal is about who, not how.
    const auto ours = probe(firmante::testing::run({FIRMANTE_WS_PROBE, port, kAllowedOrigin}));
    EXPECT_EQ(ours["status"], 101) << ours.dump();
    EXPECT_TRUE(ours["certificates"].contains("result")) << ours.dump();
    expectStillServing();
}

TEST(WebSocketPortHeld, AnotherProgramOnThePortIsReportedInAgentInfoAndTheLog) {
    // Someone else listens on the port first.
    const int holder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(holder, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(holder, 4), 0);
    socklen_t length = sizeof address;
    ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length), 0);
    const auto port = ntohs(address.sin_port);

    firmante::testing::TempDir dir{"firmante-ws-held"};
    firmante::testing::SoftHsmToken hsm{"WebSocket Held"};
    firmante::agent::testing::AgentProcess agent(dir, hsm,
                                                 {{"FIRMANTE_WS_PORT", std::to_string(port)}});
    firmante::testing::writeFile(agent.config().string(), "{}");
    agent.start();
    firmante::agent::testing::AgentClient unix(agent.socket());
    unix.hello();
    const auto info = unix.call("agent.info");
    ::close(holder);
    ASSERT_TRUE(info.contains("result")) << info.dump();
    EXPECT_FALSE(info["result"].contains("webSocketPort")) << info.dump();
    ASSERT_TRUE(info["result"].contains("webSocketProblem")) << info.dump();
    EXPECT_EQ(info["result"]["webSocketProblem"]["reason"], "PORT_IN_USE");
    EXPECT_EQ(info["result"]["webSocketProblem"]["port"], port);
    const auto transports = info["result"]["transports"];
    EXPECT_EQ(std::find(transports.begin(), transports.end(), "websocket"), transports.end());
    const auto log = firmante::testing::readFile(agent.stderrFile().string());
    EXPECT_NE(
        log.find("no WebSocket transport: cannot listen on 127.0.0.1:" + std::to_string(port)),
        std::string::npos)
        << log;
    EXPECT_NE(log.find("held by another program of this user"), std::string::npos) << log;
}
