// Bounded resources on the WebSocket (issue 9 §5): a flood past the connection cap holds no
// descriptors, running out of descriptors makes accept() back off instead of spinning, and pages
// waiting for the person's consent never lock out an allowed page. Figures are printed for the
// record ([ figure ] lines).
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/resource.h>

#include <cstring>
#include <set>
#include <thread>

#include "RawSocket.h"
#include "WebSocketFixture.h"

using namespace firmante::websocket::testing;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

class WebSocketResources : public WebSocketFixture {};

std::size_t fileSize(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<std::size_t>(size);
}

// Waits until `count` of the sockets were closed by the agent, or the deadline.
std::size_t closedByAgent(std::vector<RawSocket>& sockets, std::chrono::seconds within) {
    std::vector<pollfd> open;
    for (const auto& s : sockets) open.push_back({s.fd(), POLLIN, 0});
    std::size_t closed = 0;
    const auto deadline = Clock::now() + within;
    while (!open.empty() && Clock::now() < deadline) {
        if (::poll(open.data(), open.size(), 200) <= 0) continue;
        for (auto it = open.begin(); it != open.end();) {
            char byte;
            if (it->revents != 0 && ::recv(it->fd, &byte, 1, MSG_DONTWAIT) <= 0) {
                ++closed;
                it = open.erase(it);
            } else {
                it->revents = 0;
                ++it;
            }
        }
    }
    return closed;
}

// The lowest RLIMIT_NOFILE under which the process can open exactly `free` more descriptors
// (open ones above the limit stay usable, so gaps below it are what counts).
std::size_t limitLeaving(pid_t pid, std::size_t free) {
    std::set<std::size_t> open;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        open.insert(std::stoul(entry.path().filename().string()));
    }
    std::size_t limit = 0;
    for (std::size_t gaps = 0; gaps < free; ++limit) {
        if (!open.count(limit)) ++gaps;
    }
    return limit;
}

}  // namespace

TEST_F(WebSocketResources, FloodOfThreeThousandConnectionsPastTheCapHoldsNoDescriptors) {
    startAgent();
    const std::size_t before = openDescriptors(agent.pid());
    constexpr std::size_t kFlood = 3000;
    constexpr std::size_t kCap = 64;
    std::vector<RawSocket> flood;
    flood.reserve(kFlood);
    for (std::size_t i = 0; i < kFlood; ++i) flood.emplace_back(port);
    // The first 64 hold a slot until the upgrade deadline; every other one is closed at once.
    const std::size_t closed = closedByAgent(flood, std::chrono::seconds(4));
    const std::size_t during = openDescriptors(agent.pid());
    std::cout << "[ figure ] agent descriptors: " << before << " before, " << during << " with "
              << kFlood << " connections open against it (" << closed << " closed by the agent)\n";
    EXPECT_GE(closed, kFlood - kCap);
    EXPECT_LE(during, before + kCap + 8);
    flood.clear();
    expectStillServing();
}

TEST_F(WebSocketResources, AcceptAtTheDescriptorLimitBacksOffAndServesAgainOnceFree) {
    startAgent();
    // A descriptor limit that leaves the agent four more descriptors.
    const std::size_t limit = limitLeaving(agent.pid(), 4);
    const rlimit low{limit, limit};
    rlimit old{};
    ASSERT_EQ(::prlimit(agent.pid(), RLIMIT_NOFILE, &low, &old), 0) << std::strerror(errno);

    std::vector<RawSocket> clients;
    for (int i = 0; i < 20; ++i) clients.emplace_back(port);
    // The agent took what it could; wait until its log says accept() ran out.
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (firmante::testing::readFile(agent.stderrFile().string()).find("Too many open files") ==
               std::string::npos &&
           Clock::now() < deadline) {
        std::this_thread::yield();
    }
    ASSERT_NE(firmante::testing::readFile(agent.stderrFile().string()).find("Too many open files"),
              std::string::npos);

    // Measured over two seconds at the limit with connections waiting in the backlog.
    const long ticksBefore = cpuTicks(agent.pid());
    const std::size_t logBefore = fileSize(agent.stderrFile());
    const auto start = Clock::now();
    while (Clock::now() - start < std::chrono::seconds(2)) std::this_thread::yield();
    const double cpu = static_cast<double>(cpuTicks(agent.pid()) - ticksBefore) /
                       static_cast<double>(::sysconf(_SC_CLK_TCK)) / 2.0;
    const std::size_t logGrowth = fileSize(agent.stderrFile()) - logBefore;
    std::cout << "[ figure ] at EMFILE: agent CPU " << cpu * 100 << " % of a core, log +"
              << logGrowth << " bytes in 2 s\n";
    EXPECT_LT(cpu, 0.2);
    EXPECT_LT(logGrowth, 2048u);

    // Descriptors come free (the clients leave), and a page is served again without a restart.
    clients.clear();
    expectStillServing();
    ::prlimit(agent.pid(), RLIMIT_NOFILE, &old, nullptr);
}

TEST_F(WebSocketResources, PagesWaitingForConsentDoNotLockOutAnAllowedPage) {
    startAgent();
    // The person does not answer the first question for a while.
    agent.script("hold no\n");
    std::vector<RawSocket> waiting;
    for (int i = 0; i < 64; ++i) {
        waiting.emplace_back(port);
        waiting.back().send(upgradeRequest(port, "https://site" + std::to_string(i) + ".example"));
    }
    // Wait until the first question is on screen (the fake pinentry marks it).
    const auto held = std::filesystem::path(agent.pinentryScript().string() + ".held");
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (!std::filesystem::exists(held) && Clock::now() < deadline) std::this_thread::yield();
    ASSERT_TRUE(std::filesystem::exists(held));

    const auto start = Clock::now();
    {
        auto page = connect();
        EXPECT_TRUE(page->call("agent.info").contains("result"));
    }
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    std::cout << "[ figure ] an allowed page waited " << waited.count() << " ms while 64 pages "
              << "waited for consent\n";
    EXPECT_LT(waited, std::chrono::seconds(2));

    // Every waiting page has its answer (403 or 503) within the consent deadline, although the
    // person still has not answered: none holds its slot longer.
    std::size_t answered = 0;
    for (auto& socket : waiting) {
        const auto reply = socket.readUntil([](const std::string& r) { return httpStatus(r) != 0; },
                                            std::chrono::seconds(15));
        const auto status = httpStatus(reply);
        if (status == 403 || status == 503) ++answered;
    }
    EXPECT_EQ(answered, waiting.size());
    firmante::testing::writeFile(agent.pinentryScript().string() + ".release", "");
}
