// firmante-agent.socket hands the agent a listening socket (LISTEN_FDS). systemd-socket-activate
// speaks the same protocol, so the real agent is checked here against the real tool: it must
// serve the socket it was handed (the very file, same inode) and leave that file in place when
// it stops, since the file belongs to the service manager.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "AgentClient.h"
#include "AgentProcess.h"
#include "firmante/testing/Process.h"

namespace {

namespace fs = std::filesystem;
using namespace firmante::agent::testing;  // AgentClient, AgentProcess
using namespace firmante::testing;         // SoftHsmToken, TempDir

ino_t inodeOf(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_ino;
}

// systemd-socket-activate binds before it prints anything; wait for the file, with a deadline.
bool socketAppears(const fs::path& path) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        std::error_code ec;
        if (fs::is_socket(path, ec)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

class InstallerSocketActivation : public ::testing::Test {
  protected:
    std::vector<std::string> activatorArgv() const {
        std::vector<std::string> argv{FIRMANTE_SOCKET_ACTIVATE, "-l", layout_.socket().string()};
        for (const auto& [k, v] : layout_.environment()) {
            argv.push_back("-E");
            argv.push_back(k + "=" + v);
        }
        argv.push_back(AgentProcess::binary());
        return argv;
    }

    TempDir dir_{"firmante-activation"};
    SoftHsmToken hsm_;
    AgentProcess layout_{dir_, hsm_};  // its folders and environment; never started itself
};

TEST_F(InstallerSocketActivation, AgentAnswersOnTheSocketItWasHanded) {
    fs::create_directories(layout_.socket().parent_path());
    fs::permissions(layout_.socket().parent_path(), fs::perms::owner_all);
    const auto log = dir_ / "activate.log";
    firmante::testing::Child activator(activatorArgv(), {}, log, log);
    ASSERT_TRUE(socketAppears(layout_.socket()))
        << firmante::testing::readFile((dir_ / "activate.log").string());
    const ino_t handed = inodeOf(layout_.socket());

    // The first connection makes systemd-socket-activate start the agent with the socket.
    AgentClient client(layout_.socket());
    const auto hello = client.hello();
    ASSERT_TRUE(hello.contains("result")) << hello.dump();
    const auto info = client.call("agent.info");
    ASSERT_TRUE(info.contains("result")) << info.dump();
    EXPECT_EQ(info["result"]["version"], "0.1.0");
    EXPECT_EQ(info["result"]["tokens"][0]["label"], hsm_.label());

    // The kernel's view: the process answering is the agent binary, on the file it was handed.
    EXPECT_EQ(fs::read_symlink("/proc/" + std::to_string(activator.pid()) + "/exe"),
              fs::canonical(AgentProcess::binary()));
    EXPECT_EQ(inodeOf(layout_.socket()), handed);

    const int status = activator.stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_EQ(inodeOf(layout_.socket()), handed) << "the manager's socket file was removed";
}

TEST_F(InstallerSocketActivation, AgentIgnoresListenVariablesMeantForAnotherProcess) {
    // Inherited through a shell, LISTEN_PID names someone else: the agent binds its own socket.
    AgentProcess agent(dir_, hsm_, {{"LISTEN_PID", "1"}, {"LISTEN_FDS", "1"}});
    agent.start();
    AgentClient client(agent.socket());
    ASSERT_TRUE(client.hello().contains("result"));
    EXPECT_TRUE(client.call("agent.info").contains("result"));
}

}  // namespace
