// The PIN typed on a terminal: prompted on the terminal, not echoed, echo restored afterwards.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "CliTest.h"

namespace firmante::cli::test {
namespace {

class CliTerminal : public CliTest {
  protected:
    /// Reads from the pty master until `needle` shows up, the child closes it, or 20 s pass.
    std::string readUntil(int master, const std::string& needle, std::string& seen) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (needle.empty() || seen.find(needle) == std::string::npos) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{master, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
            char buf[512];
            ssize_t n = ::read(master, buf, sizeof buf);
            if (n <= 0) break;  // EIO once the child has closed the terminal
            seen.append(buf, static_cast<std::size_t>(n));
        }
        return seen;
    }
};

TEST_F(CliTerminal, PinTypedOnTheTerminalIsNotEchoedAndEchoComesBack) {
    auto environment = env();
    const std::string out = path("out.json");
    int master = -1;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        for (const auto& [k, v] : environment) ::setenv(k.c_str(), v.c_str(), 1);
        int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, STDOUT_FILENO);
        ::execl(FIRMANTE_CLI, FIRMANTE_CLI, "keys", "--json", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    std::string seen;
    readUntil(master, "PIN:", seen);
    ASSERT_NE(seen.find("PIN:"), std::string::npos) << seen;
    EXPECT_NE(seen.find("Firmante Test"), std::string::npos) << seen;
    EXPECT_NE(seen.find("listar las llaves privadas"), std::string::npos) << seen;
    // Echo must be off while the PIN is read.
    termios during{};
    ASSERT_EQ(::tcgetattr(master, &during), 0);
    EXPECT_EQ(during.c_lflag & ECHO, 0u);

    std::string line = std::string(SoftHsmToken::kUserPin) + "\n";
    ASSERT_EQ(::write(master, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    readUntil(master, "", seen);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    termios after{};
    bool haveAfter = ::tcgetattr(master, &after) == 0;
    ::close(master);

    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << seen;
    EXPECT_EQ(seen.find(SoftHsmToken::kUserPin), std::string::npos) << "PIN echoed:\n" << seen;
    ASSERT_TRUE(haveAfter);
    EXPECT_NE(after.c_lflag & ECHO, 0u) << "echo not restored";
    auto doc = nlohmann::json::parse(readFile(out), nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << readFile(out);
    EXPECT_TRUE(doc.contains("keys"));
}

}  // namespace
}  // namespace firmante::cli::test
