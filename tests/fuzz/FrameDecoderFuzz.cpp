// The native-messaging frame decoder (firmante::nm::FrameDecoder), fed the way a socket feeds it.
// Input: byte 0 picks the policy and the limit, byte 1 seeds the chunk sizes, the rest is the
// stream. Properties: the same stream cut into any chunks gives the same frames and errors; no
// frame is above the limit; the decoder never holds more than the limit (plus a header and the
// oversize prefix); under OversizePolicy::Stop the results equal a plain reference parse.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "FuzzCheck.h"
#include "firmante/nm/FrameDecoder.h"

using firmante::nm::FrameDecoder;
using firmante::nm::FrameResult;
using firmante::nm::kFrameHeaderSize;
using firmante::nm::OversizePolicy;

namespace {

// One result reduced to comparable values.
struct Seen {
    bool frame;
    std::string bytes;  // body, or the oversized prefix
    std::uint64_t declared;
    std::string word;
    bool operator==(const Seen&) const = default;
};

Seen seen(const FrameResult& r) {
    if (r.isFrame()) return {true, r.body(), 0, {}};
    FUZZ_CHECK(r.isError());
    return {false, r.oversizedPrefix(), r.error().declaredLength().value_or(~0ull),
            std::string(r.error().word())};
}

struct Run {
    std::vector<Seen> results;
    std::optional<std::string> finish;
};

Run decode(std::string_view stream, std::size_t limit, OversizePolicy policy, std::size_t prefix,
           std::uint8_t seed) {
    FrameDecoder decoder(limit, policy, prefix);
    Run run;
    std::uint32_t state = seed * 2654435761u + 1;
    while (!stream.empty()) {
        std::size_t chunk = stream.size();
        if (seed != 0) {
            state = state * 1103515245u + 12345u;
            chunk = std::min<std::size_t>(stream.size(), 1 + (state >> 16) % 9);
        }
        decoder.feed(stream.substr(0, chunk));
        stream.remove_prefix(chunk);
        FUZZ_CHECK(decoder.pendingBytes() <= limit + kFrameHeaderSize + prefix);
        while (auto r = decoder.next()) {
            if (r->isFrame()) FUZZ_CHECK(r->body().size() <= limit);
            run.results.push_back(seen(*r));
        }
    }
    if (auto e = decoder.finish()) run.finish = std::string(e->word());
    return run;
}

// What OversizePolicy::Stop must produce, read off the stream directly.
Run reference(std::string_view stream, std::size_t limit) {
    Run run;
    while (stream.size() >= kFrameHeaderSize) {
        std::uint32_t length;
        std::memcpy(&length, stream.data(), sizeof length);  // native byte order, like Chromium
        stream.remove_prefix(kFrameHeaderSize);
        if (length > limit) {
            run.results.push_back({false, {}, length, "TOO_LARGE"});
            return run;  // stopped: the rest is ignored and finish() has nothing to add
        }
        if (stream.size() < length) {
            run.finish = "TRUNCATED";
            return run;
        }
        run.results.push_back({true, std::string(stream.substr(0, length)), 0, {}});
        stream.remove_prefix(length);
    }
    if (!stream.empty()) run.finish = "TRUNCATED";
    return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t mode = data[0];
    const std::uint8_t seed = data[1];
    const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);
    const std::size_t limit = (mode >> 2) * 4;  // 0..252: small, so oversize paths are reached
    const bool skip = mode & 1;
    const std::size_t prefix = skip && (mode & 2) ? 8 : 0;
    const auto policy = skip ? OversizePolicy::Skip : OversizePolicy::Stop;

    const Run whole = decode(stream, limit, policy, prefix, 0);
    const Run chunked = decode(stream, limit, policy, prefix, seed | 1);
    FUZZ_CHECK(whole.results == chunked.results);
    FUZZ_CHECK(whole.finish == chunked.finish);
    if (!skip) {
        const Run expected = reference(stream, limit);
        FUZZ_CHECK(whole.results == expected.results);
        FUZZ_CHECK(whole.finish == expected.finish);
    }
    return 0;
}
