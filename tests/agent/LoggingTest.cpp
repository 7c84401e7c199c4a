// The agent's log sinks on disk: rotation by size and the rate limit for repeated lines.
#include <gtest/gtest.h>

#include <fcntl.h>

#include <filesystem>
#include <fstream>

#include "firmante/agent/Logging.h"
#include "firmante/testing/TempDir.h"

using namespace firmante::agent;
namespace fs = std::filesystem;

namespace {

// Lines that differ in letters, not only in digits, so the rate limit lets each through.
std::string distinctWord(int n) {
    std::string word;
    for (int i = 0; i < 4; ++i, n /= 26) word += static_cast<char>('a' + n % 26);
    return word;
}

}  // namespace

TEST(AgentLogging, TheLogFileRotatesBySizeAndKeepsAFixedNumberOfFiles) {
    firmante::testing::TempDir dir{"firmante-log-rotate"};
    const auto file = dir.path() / "state" / "agent.log";
    setupLogging(file, {32 * 1024, 2, 100000, std::chrono::milliseconds(10'000)});
    auto log = logger("rpc");
    for (int i = 0; i < 3000; ++i) {
        log->info("line {} {}", distinctWord(i), std::string(60, '-'));
    }
    log->flush();
    EXPECT_TRUE(fs::exists(dir.path() / "state" / "agent.1.log"));
    EXPECT_TRUE(fs::exists(dir.path() / "state" / "agent.2.log"));
    EXPECT_FALSE(fs::exists(dir.path() / "state" / "agent.3.log"));
    for (const char* name : {"agent.log", "agent.1.log", "agent.2.log"}) {
        EXPECT_LE(fs::file_size(dir.path() / "state" / name), 32u * 1024u) << name;
    }
}

TEST(AgentLogging, RepeatedLinesAreCountedInsteadOfWritten) {
    firmante::testing::TempDir dir{"firmante-log-repeat"};
    const auto file = dir.path() / "agent.log";
    setupLogging(file, {1024 * 1024, 2, 5, std::chrono::milliseconds(60'000)});
    auto log = logger("ipc");
    for (int i = 0; i < 500; ++i) log->warn("accept failed: Too many open files ({})", i);
    log->info("something else");
    log->flush();
    std::ifstream in(file);
    std::size_t repeated = 0, other = 0;
    for (std::string line; std::getline(in, line);) {
        repeated += line.find("accept failed") != std::string::npos;
        other += line.find("something else") != std::string::npos;
    }
    EXPECT_EQ(repeated, 5u);
    EXPECT_EQ(other, 1u);
}
