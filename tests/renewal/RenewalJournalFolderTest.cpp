// Issue 9 §9: what else may sit in the journal folder. A FIFO (or any non-regular file) never
// hangs the agent's start-up, and leftovers of interrupted writes (*.tmp) are cleaned.
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "RenewalFixture.h"
#include "firmante/testing/Process.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalJournalFolder : public RenewalFixture {
  protected:
    /// Whether `work` returns true within `seconds`, run in a child process so a hang cannot
    /// take the test runner with it.
    static bool finishesWithin(int seconds, const std::function<bool()>& work) {
        int fds[2];
        if (::pipe(fds) != 0) return false;
        const pid_t child = ::fork();
        if (child == 0) {
            ::close(fds[0]);
            bool ok = false;
            try {
                ok = work();
            } catch (...) {
            }
            (void)!::write(fds[1], ok ? "1" : "0", 1);
            ::_exit(0);
        }
        ::close(fds[1]);
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, seconds * 1000);
        char answer = '0';
        const bool answered = ready == 1 && ::read(fds[0], &answer, 1) == 1;
        ::close(fds[0]);
        if (!answered) ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        return answered && answer == '1';
    }

    bool loadsWithin(int seconds) {
        return finishesWithin(seconds, [&] {
            RenewalManager loaded(journalDir());
            return true;
        });
    }
};

TEST_F(RenewalJournalFolder, AFifoDoesNotHangStartUpAndIsListedAsCorrupt) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    ASSERT_EQ(::mkfifo((journalDir() / "trampa.json").c_str(), 0600), 0);
    ASSERT_EQ(::mkfifo((journalDir() / "otra.txt").c_str(), 0600), 0);
    ASSERT_TRUE(loadsWithin(10)) << "loading the journal folder hung on a FIFO";

    restart();
    EXPECT_EQ(manager().status(id).at("state"), "begun");  // the real journal still loads
    const json fifo = manager().status(std::string("trampa"));
    EXPECT_EQ(fifo.at("state"), "corrupt");
    EXPECT_NE(fifo.at("error").get<std::string>().find("no es un archivo normal"),
              std::string::npos)
        << fifo.dump();
    EXPECT_TRUE(std::filesystem::is_fifo(journalDir() / "trampa.json"));  // left alone
}

TEST_F(RenewalJournalFolder, ASymbolicLinkIsNotFollowed) {
    firmante::testing::writeFile((work_ / "elsewhere.json").string(), "{}");
    std::filesystem::create_symlink(work_ / "elsewhere.json", journalDir() / "enlace.json");
    restart();
    const json link = manager().status(std::string("enlace"));
    EXPECT_EQ(link.at("state"), "corrupt");
    EXPECT_NE(link.at("error").get<std::string>().find("enlace simbólico"), std::string::npos)
        << link.dump();
}

TEST_F(RenewalJournalFolder, LeftoverTemporaryFilesAreRemovedAtStartUp) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    const auto leftover = journalDir() / ("." + id + ".json.tmp");
    const auto stray = journalDir() / "suelto.tmp";
    firmante::testing::writeFile(leftover.string(), "{\"renewalId\": \"a medias");
    firmante::testing::writeFile(stray.string(), "x");
    restart();
    EXPECT_FALSE(std::filesystem::exists(leftover));
    EXPECT_FALSE(std::filesystem::exists(stray));
    EXPECT_EQ(manager().status(id).at("state"), "begun");
    EXPECT_EQ(manager().status(std::nullopt).at("renewals").size(), 1u);
}

TEST_F(RenewalJournalFolder, AFifoAtTheTemporaryNameIsReplacedNotWrittenThrough) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    const auto trap = journalDir() / ("." + id + ".json.tmp");
    ASSERT_EQ(::mkfifo(trap.c_str(), 0600), 0);
    // Run the step in a child: on a FIFO, the journal write would block forever.
    EXPECT_TRUE(finishesWithin(20, [&] {
        signAcceptance(id, acceptanceLetter(begun.at("spkiHex")));
        return true;
    })) << "the journal write hung on a FIFO, or failed";
    EXPECT_EQ(json::parse(firmante::testing::readFile(journalFile(id).string())).at("state"),
              "acceptanceSigned");
}

}  // namespace
}  // namespace firmante::renewal::testing
