#include <gtest/gtest.h>
#include <unistd.h>

#include <pthread.h>
#include <cerrno>
#include <csignal>
#include <string>
#include <system_error>
#include <thread>

#include "firmante/nm/FdFrameIo.h"
#include "firmante/nm/FrameCodec.h"
#include "firmante/nm/FramingError.h"

using namespace firmante::nm;

namespace {

// A pipe whose ends close with the object.
class Pipe {
  public:
    Pipe() {
        if (::pipe(fds_) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    }
    ~Pipe() {
        closeRead();
        closeWrite();
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    int readEnd() const { return fds_[0]; }
    int writeEnd() const { return fds_[1]; }
    void closeRead() {
        if (fds_[0] >= 0) ::close(fds_[0]);
        fds_[0] = -1;
    }
    void closeWrite() {
        if (fds_[1] >= 0) ::close(fds_[1]);
        fds_[1] = -1;
    }
    void writeRaw(std::string_view bytes) {
        ASSERT_EQ(::write(fds_[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    }

  private:
    int fds_[2] = {-1, -1};
};

}  // namespace

TEST(FramingFdIo, ReadFrameReturnsEndOfStreamAtACleanBoundary) {
    Pipe pipe;
    writeFrame(pipe.writeEnd(), "{}");
    pipe.closeWrite();
    auto first = readFrame(pipe.readEnd());
    ASSERT_TRUE(first.isFrame());
    EXPECT_EQ(first.body(), "{}");
    EXPECT_TRUE(readFrame(pipe.readEnd()).isEndOfStream());
}

TEST(FramingFdIo, ReadFrameReportsATruncatedHeader) {
    Pipe pipe;
    pipe.writeRaw(encodeFrameHeader(5).substr(0, 2));
    pipe.closeWrite();
    auto result = readFrame(pipe.readEnd());
    ASSERT_TRUE(result.isError());
    EXPECT_EQ(result.error().word(), "TRUNCATED");
}

TEST(FramingFdIo, ReadFrameReportsATruncatedBody) {
    Pipe pipe;
    pipe.writeRaw(encodeFrameHeader(100) + "{\"id\":");
    pipe.closeWrite();
    auto result = readFrame(pipe.readEnd());
    ASSERT_TRUE(result.isError());
    EXPECT_EQ(result.error().reason(), FramingReason::Truncated);
    EXPECT_EQ(result.error().declaredLength(), 100u);
}

TEST(FramingFdIo, ReadFrameRefusesATooLargeLengthAndCanResynchroniseBySkipping) {
    Pipe pipe;
    pipe.writeRaw(encodeFrameHeader(2000) + std::string(2000, 'x') + encodeFrame("{}"));
    pipe.closeWrite();
    auto refused = readFrame(pipe.readEnd(), 1000);
    ASSERT_TRUE(refused.isError());
    EXPECT_EQ(refused.error().word(), "TOO_LARGE");
    ASSERT_EQ(refused.error().declaredLength(), 2000u);
    ASSERT_TRUE(discardBytes(pipe.readEnd(), *refused.error().declaredLength()));
    auto next = readFrame(pipe.readEnd(), 1000);
    ASSERT_TRUE(next.isFrame());
    EXPECT_EQ(next.body(), "{}");
}

TEST(FramingFdIo, ReadFrameRefusesTheMaximalLengthWithoutReadingTheBody) {
    Pipe pipe;
    pipe.writeRaw(encodeFrameHeader(0xFFFFFFFFu) + "{}");
    pipe.closeWrite();
    auto refused = readFrame(pipe.readEnd());
    ASSERT_TRUE(refused.isError());
    EXPECT_EQ(refused.error().word(), "TOO_LARGE");
    // The body was left in the stream, untouched.
    char rest[2] = {};
    EXPECT_EQ(::read(pipe.readEnd(), rest, 2), 2);
}

TEST(FramingFdIo, ReadFrameAcceptsAnEmptyFrame) {
    Pipe pipe;
    writeFrame(pipe.writeEnd(), "");
    auto result = readFrame(pipe.readEnd());
    ASSERT_TRUE(result.isFrame());
    EXPECT_TRUE(result.body().empty());
}

TEST(FramingFdIo, WriteFrameCompletesAcrossPartialWritesToAFullPipe) {
    Pipe pipe;
    // Several times the pipe buffer: the writer blocks and is resumed with partial writes.
    const std::string body(3 * 1024 * 1024, 'b');
    std::thread writer([&] { writeFrame(pipe.writeEnd(), body); });
    auto result = readFrame(pipe.readEnd());
    writer.join();
    ASSERT_TRUE(result.isFrame());
    EXPECT_EQ(result.body().size(), body.size());
    EXPECT_EQ(result.body(), body);
}

TEST(FramingFdIo, WriteFrameAndReadFrameSurviveSignalsThatInterruptThem) {
    // A handler installed without SA_RESTART makes blocked read/write calls fail with EINTR
    // (or return short); both helpers must carry on.
    struct sigaction action {};
    action.sa_handler = [](int) {};
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    struct sigaction previous {};
    ASSERT_EQ(::sigaction(SIGUSR1, &action, &previous), 0);

    Pipe toReader;
    Pipe toWriter;
    const std::string body(3 * 1024 * 1024, 's');
    std::thread writer([&] { writeFrame(toWriter.writeEnd(), body); });
    FrameResult received = FrameResult::endOfStream();
    std::thread reader([&] { received = readFrame(toReader.readEnd()); });
    // Relay from one pipe to the other in small steps, signalling both threads on the way.
    std::string chunk(16 * 1024, '\0');
    std::size_t relayed = 0;
    while (relayed < body.size() + 4) {
        ::pthread_kill(writer.native_handle(), SIGUSR1);
        ::pthread_kill(reader.native_handle(), SIGUSR1);
        const ssize_t n = ::read(toWriter.readEnd(), chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        ASSERT_GT(n, 0);
        toReader.writeRaw(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
        relayed += static_cast<std::size_t>(n);
    }
    writer.join();
    reader.join();
    ::sigaction(SIGUSR1, &previous, nullptr);
    ASSERT_TRUE(received.isFrame());
    EXPECT_EQ(received.body(), body);
}

TEST(FramingFdIo, WriteFrameRefusesABodyAboveMaxOutAndWritesNothing) {
    Pipe pipe;
    EXPECT_THROW(writeFrame(pipe.writeEnd(), std::string(11, 'a'), 10), FramingError);
    pipe.closeWrite();
    EXPECT_TRUE(readFrame(pipe.readEnd()).isEndOfStream());
}

TEST(FramingFdIo, WriteFrameToAClosedPipeThrowsASystemError) {
    Pipe pipe;
    pipe.closeRead();
    // SIGPIPE would kill the test; the library's users ignore it the same way.
    auto previous = ::signal(SIGPIPE, SIG_IGN);
    EXPECT_THROW(writeFrame(pipe.writeEnd(), "{}"), std::system_error);
    ::signal(SIGPIPE, previous);
}

TEST(FramingFdIo, FrameResultValueThrowsTheCarriedError) {
    auto result = FrameResult::failure(FramingError(FramingReason::TooLarge, "x"));
    try {
        (void)std::move(result).value();
        FAIL() << "expected a FramingError";
    } catch (const FramingError& error) {
        EXPECT_EQ(error.word(), "TOO_LARGE");
    }
}
