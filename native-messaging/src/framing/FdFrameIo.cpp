#include "firmante/nm/FdFrameIo.h"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

#include "firmante/nm/FrameCodec.h"
#include "firmante/nm/FramingError.h"

namespace firmante::nm {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

[[noreturn]] void throwErrno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// Reads up to `size` bytes, stopping early only at end of stream. Returns the count read.
std::size_t readFully(int fd, char* data, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::read(fd, data + done, size - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            throwErrno("read");
        }
    }
    return done;
}

}  // namespace

FrameResult readFrame(int fd, std::size_t limit) {
    std::array<char, kFrameHeaderSize> header{};
    const std::size_t got = readFully(fd, header.data(), header.size());
    if (got == 0) return FrameResult::endOfStream();
    if (got < header.size()) {
        return FrameResult::failure(
            FramingError(FramingReason::Truncated,
                         "stream ended after " + std::to_string(got) + " of 4 header bytes"));
    }
    const std::uint32_t length = decodeFrameHeader(std::string_view(header.data(), header.size()));
    if (length > limit) {
        return FrameResult::failure(FramingError(FramingReason::TooLarge,
                                                 "frame of " + std::to_string(length) +
                                                     " bytes exceeds the limit of " +
                                                     std::to_string(limit) + " bytes",
                                                 length));
    }
    std::string body;
    while (body.size() < length) {
        // Grow with the data actually received, so an announced length is never trusted for
        // memory: a liar costs at most what it really sent (plus one chunk).
        const std::size_t old = body.size();
        const std::size_t want = std::min<std::size_t>(length - old, std::max(old, kReadChunk));
        body.resize(old + want);
        const std::size_t n = readFully(fd, body.data() + old, want);
        body.resize(old + n);
        if (n < want) {
            return FrameResult::failure(FramingError(FramingReason::Truncated,
                                                     "stream ended after " +
                                                         std::to_string(body.size()) + " of " +
                                                         std::to_string(length) + " body bytes",
                                                     length));
        }
    }
    return FrameResult::frame(std::move(body));
}

void writeFrame(int fd, std::string_view json, std::size_t maxOut) {
    if (json.size() > maxOut || json.size() > UINT32_MAX) {
        throw FramingError(FramingReason::TooLarge,
                           "frame of " + std::to_string(json.size()) +
                               " bytes exceeds the limit of " + std::to_string(maxOut) + " bytes",
                           json.size());
    }
    const std::string header = encodeFrameHeader(static_cast<std::uint32_t>(json.size()));
    // One writev for header and body: no copy of the body, and a reader rarely sees a
    // header without its body.
    std::array<iovec, 2> iov{{{const_cast<char*>(header.data()), header.size()},
                              {const_cast<char*>(json.data()), json.size()}}};
    std::size_t first = 0;
    while (first < iov.size()) {
        const ssize_t n = ::writev(fd, iov.data() + first, static_cast<int>(iov.size() - first));
        if (n < 0) {
            if (errno == EINTR) continue;
            throwErrno("write");
        }
        auto left = static_cast<std::size_t>(n);
        while (first < iov.size() && left >= iov[first].iov_len) {
            left -= iov[first].iov_len;
            ++first;
        }
        if (first < iov.size()) {
            iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
            iov[first].iov_len -= left;
        }
    }
}

bool discardBytes(int fd, std::uint64_t count) {
    std::array<char, kReadChunk> sink{};
    while (count > 0) {
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(count, sink.size()));
        const std::size_t n = readFully(fd, sink.data(), want);
        count -= n;
        if (n < want) return false;
    }
    return true;
}

}  // namespace firmante::nm
