// The write queue under every transport's session (issue 10 §5), in-process over a local socket
// pair with a line-per-message transport of the test's own: one write in flight and the order
// kept, the byte cap closing a client that does not read (while the write in flight finishes
// intact), the in-flight request cap answering BUSY, and answers handed back from other threads.
#include <gtest/gtest.h>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "firmante/agent/SessionQueue.h"

using firmante::agent::SessionQueue;
using nlohmann::json;
using stream_protocol = boost::asio::local::stream_protocol;

namespace {

// One text per line. A slow reader is only counted here: like the WebSocket's close frame,
// nothing may cut the write in flight short.
class LineSession : public SessionQueue {
  public:
    LineSession(stream_protocol::socket socket, std::size_t maxInFlight,
                std::size_t maxQueuedBytes = kMaxQueuedBytes)
        : SessionQueue(socket.get_executor(), "test", 7, maxInFlight, maxQueuedBytes),
          socket_(std::move(socket)) {}

    using SessionQueue::admitRequest;
    using SessionQueue::openForWrites;
    using SessionQueue::queueClosed;
    using SessionQueue::queueText;

    void closeSocket() {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    int slowReaders = 0;
    std::size_t writesInFlight = 0;
    std::size_t mostWritesInFlight = 0;

  private:
    std::string frame(std::string text) override { return text + "\n"; }
    void startWrite(const std::string& bytes, WriteDone done) override {
        mostWritesInFlight = std::max(mostWritesInFlight, ++writesInFlight);
        boost::asio::async_write(
            socket_, boost::asio::buffer(bytes),
            [this, done = std::move(done)](const boost::system::error_code& ec, std::size_t) {
                --writesInFlight;
                done(ec);
            });
    }
    void closeSlowReader() override { ++slowReaders; }

    stream_protocol::socket socket_;
};

// Everything the peer receives until the other end closes (or the deadline).
std::string readUntilClosed(int fd, std::chrono::seconds within = std::chrono::seconds(30)) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + within;
    char chunk[65536];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        const auto n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) return got;
        got.append(chunk, static_cast<std::size_t>(n));
    }
    ADD_FAILURE() << "the session's end was never closed";
    return got;
}

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

class SessionQueueTest : public ::testing::Test {
  protected:
    SessionQueueTest() { boost::asio::local::connect_pair(ours, peer); }

    boost::asio::io_context io;
    stream_protocol::socket ours{io};
    stream_protocol::socket peer{io};
};

TEST_F(SessionQueueTest, OneWriteIsInFlightAtATimeAndTextsLeaveInTheOrderQueued) {
    auto session = std::make_shared<LineSession>(std::move(ours), 16);
    session->openForWrites();
    std::vector<std::string> sent;
    // 1.6 MB: far more than the socket holds, so most texts wait behind a write in flight.
    for (int n = 0; n < 200; ++n) {
        sent.push_back(json{{"n", n}, {"pad", std::string(8000, 'x')}}.dump());
        session->queueText(sent.back());
    }
    std::string got;
    std::thread reader([&] { got = readUntilClosed(peer.native_handle()); });
    io.run();
    session->closeSocket();
    reader.join();

    EXPECT_EQ(session->mostWritesInFlight, 1u);
    EXPECT_EQ(linesOf(got), sent);
    EXPECT_EQ(session->slowReaders, 0);
}

TEST_F(SessionQueueTest, PastTheByteCapTheClientIsClosedAndTheWriteInFlightStillEndsIntact) {
    // A small socket buffer: the first text cannot leave at once, its write stays in flight.
    ours.set_option(stream_protocol::socket::send_buffer_size(4096));
    peer.set_option(stream_protocol::socket::receive_buffer_size(4096));
    auto session = std::make_shared<LineSession>(std::move(ours), 16, 300'000);
    session->openForWrites();
    const std::string first(200'000, 'a');
    session->queueText(first);
    EXPECT_FALSE(session->queueClosed());
    EXPECT_EQ(session->writesInFlight, 1u);

    session->queueText(std::string(200'000, 'b'));  // 400,002 bytes queued: past 300,000
    EXPECT_EQ(session->slowReaders, 1);
    EXPECT_TRUE(session->queueClosed());
    session->queueText("after the cap");
    session->sendNotification(R"({"method":"tokens.changed"})");
    EXPECT_EQ(session->slowReaders, 1);

    std::string got;
    std::thread reader([&] { got = readUntilClosed(peer.native_handle()); });
    io.run();
    session->closeSocket();
    reader.join();
    // The buffer of the write in flight lived until its write ended; nothing queued went out.
    EXPECT_EQ(got, first + "\n");
}

TEST_F(SessionQueueTest, RequestsPastTheCapAreToldBusyAndAnswersFromOtherThreadsArrive) {
    auto session = std::make_shared<LineSession>(std::move(ours), 2);
    session->openForWrites();
    auto first = session->admitRequest();
    auto second = session->admitRequest();
    ASSERT_TRUE(first && second);
    EXPECT_FALSE(session->admitRequest().has_value());  // the third: BUSY

    // Token workers answer; the session hears of it only on its own executor (io.run below).
    std::thread workerA([&] { (*second)(json{{"id", 2}, {"result", "two"}}); });
    std::thread workerB([&] { (*first)(json{{"id", 1}, {"result", "one"}}); });
    std::thread notifier([&] { session->sendNotification(R"({"method":"tokens.changed"})"); });
    workerA.join();
    workerB.join();
    notifier.join();
    io.run();

    // Both answered: two places again, then BUSY again.
    EXPECT_TRUE(session->admitRequest().has_value());
    EXPECT_TRUE(session->admitRequest().has_value());
    EXPECT_FALSE(session->admitRequest().has_value());
    io.restart();
    io.run();
    session->closeSocket();

    const auto lines = linesOf(readUntilClosed(peer.native_handle()));
    ASSERT_EQ(lines.size(), 5u);
    std::set<std::string> answers;
    std::size_t busy = 0;
    for (const auto& line : lines) {
        const auto message = json::parse(line);
        if (message.contains("error")) {
            EXPECT_TRUE(message["id"].is_null()) << line;
            EXPECT_EQ(message["error"]["data"]["reason"], "BUSY") << line;
            ++busy;
        } else {
            answers.insert(message.contains("method") ? message["method"].get<std::string>()
                                                      : message["result"].get<std::string>());
        }
    }
    EXPECT_EQ(json::parse(lines.front())["error"]["data"]["reason"], "BUSY");  // queued first
    EXPECT_EQ(busy, 2u);
    EXPECT_EQ(answers, (std::set<std::string>{"one", "two", "tokens.changed"}));
}

TEST_F(SessionQueueTest, AnAnswerForASessionAlreadyGoneIsDropped) {
    auto session = std::make_shared<LineSession>(std::move(ours), 2);
    session->openForWrites();
    auto respond = session->admitRequest();
    ASSERT_TRUE(respond);
    session.reset();  // the client left; its socket closed with it
    std::thread worker([&] { (*respond)(json{{"id", 1}, {"result", "late"}}); });
    worker.join();
    io.run();
    EXPECT_EQ(readUntilClosed(peer.native_handle()), "");
}

}  // namespace
