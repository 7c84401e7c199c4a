#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "firmante/nm/FrameCodec.h"
#include "firmante/nm/FrameDecoder.h"
#include "firmante/nm/FramingError.h"
#include "firmante/nm/Utf8.h"

using namespace firmante::nm;

namespace {

constexpr std::size_t kSmallLimit = 1024;

std::string header(std::uint32_t length) {
    return encodeFrameHeader(length);
}

}  // namespace

TEST(FramingDecoder, LengthZeroYieldsAnEmptyFrameForTheCallerToReject) {
    FrameDecoder decoder(kSmallLimit);
    decoder.feed(header(0));
    auto result = decoder.next();
    ASSERT_TRUE(result.has_value());
    ASSERT_TRUE(result->isFrame());
    EXPECT_EQ(result->body(), "");
    EXPECT_TRUE(decoder.atFrameBoundary());
    EXPECT_FALSE(decoder.next().has_value());
}

TEST(FramingDecoder, LengthOneYieldsAOneByteFrame) {
    FrameDecoder decoder(kSmallLimit);
    decoder.feed(header(1) + "7");
    auto result = decoder.next();
    ASSERT_TRUE(result && result->isFrame());
    EXPECT_EQ(result->body(), "7");
}

TEST(FramingDecoder, FrameOfExactlyTheLimitIsAccepted) {
    FrameDecoder decoder(kSmallLimit);
    const std::string body(kSmallLimit, 'x');
    decoder.feed(header(kSmallLimit) + body);
    auto result = decoder.next();
    ASSERT_TRUE(result && result->isFrame());
    EXPECT_EQ(result->body(), body);
}

TEST(FramingDecoder, FrameOfExactlyTheDefaultLimitIsAccepted) {
    FrameDecoder decoder;
    ASSERT_EQ(decoder.limit(), 16u * 1024 * 1024);
    const std::string body(kDefaultFrameLimit, 'y');
    decoder.feed(header(kDefaultFrameLimit));
    decoder.feed(body);
    auto result = decoder.next();
    ASSERT_TRUE(result && result->isFrame());
    EXPECT_EQ(result->body().size(), kDefaultFrameLimit);
}

TEST(FramingDecoder, LimitPlusOneIsTooLargeBeforeAnyBodyIsBuffered) {
    FrameDecoder decoder(kSmallLimit);
    decoder.feed(header(kSmallLimit + 1));
    auto result = decoder.next();
    ASSERT_TRUE(result && result->isError());
    EXPECT_EQ(result->error().reason(), FramingReason::TooLarge);
    EXPECT_EQ(result->error().word(), "TOO_LARGE");
    EXPECT_EQ(result->error().declaredLength(), kSmallLimit + 1);
    EXPECT_EQ(decoder.pendingBytes(), 0u);
    EXPECT_TRUE(decoder.stopped());
}

TEST(FramingDecoder, MaximalLengthIsTooLargeAndStopsTheStreamByDefault) {
    FrameDecoder decoder;
    decoder.feed(header(0xFFFFFFFFu) + std::string(4096, 'z') + header(2) + "{}");
    auto result = decoder.next();
    ASSERT_TRUE(result && result->isError());
    EXPECT_EQ(result->error().word(), "TOO_LARGE");
    EXPECT_EQ(result->error().declaredLength(), 0xFFFFFFFFu);
    EXPECT_TRUE(decoder.stopped());
    EXPECT_EQ(decoder.pendingBytes(), 0u);
    // Stopped: the frame after the oversized body is never decoded.
    EXPECT_FALSE(decoder.next().has_value());
}

TEST(FramingDecoder, SkipPolicyDiscardsTheOversizedBodyWithoutBufferingItAndResumes) {
    FrameDecoder decoder(kSmallLimit, OversizePolicy::Skip);
    decoder.feed(header(kSmallLimit * 3));
    for (int i = 0; i < 3; ++i) {
        decoder.feed(std::string(kSmallLimit, 'q'));
        EXPECT_EQ(decoder.pendingBytes(), 0u);
    }
    decoder.feed(header(2) + "{}");
    auto first = decoder.next();
    ASSERT_TRUE(first && first->isError());
    EXPECT_EQ(first->error().word(), "TOO_LARGE");
    auto second = decoder.next();
    ASSERT_TRUE(second && second->isFrame());
    EXPECT_EQ(second->body(), "{}");
    EXPECT_FALSE(decoder.stopped());
}

TEST(FramingDecoder, SkipPolicyCanKeepTheFirstBytesOfAnOversizedBodyAndDropTheRest) {
    FrameDecoder decoder(kSmallLimit, OversizePolicy::Skip, /*oversizePrefix=*/16);
    const std::string body = R"({"id":42,"result":")" + std::string(5000, 'r') + R"("})";
    const std::string wire = encodeFrame(body) + encodeFrame("{}");
    // Dribbled in small pieces: the prefix is assembled across reads, the rest never held.
    for (std::size_t at = 0; at < wire.size(); at += 7) {
        decoder.feed(std::string_view(wire).substr(at, 7));
        EXPECT_LE(decoder.pendingBytes(), 16u + 4u);
    }
    auto refused = decoder.next();
    ASSERT_TRUE(refused && refused->isError());
    EXPECT_EQ(refused->error().word(), "TOO_LARGE");
    EXPECT_EQ(refused->error().declaredLength(), body.size());
    EXPECT_EQ(refused->oversizedPrefix(), body.substr(0, 16));
    auto next = decoder.next();
    ASSERT_TRUE(next && next->isFrame());
    EXPECT_EQ(next->body(), "{}");
}

TEST(FramingDecoder, TruncatedHeaderIsReportedAtEndOfStream) {
    FrameDecoder decoder(kSmallLimit);
    decoder.feed(header(10).substr(0, 3));
    EXPECT_FALSE(decoder.next().has_value());
    auto error = decoder.finish();
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->word(), "TRUNCATED");
}

TEST(FramingDecoder, TruncatedBodyIsReportedAtEndOfStream) {
    FrameDecoder decoder(kSmallLimit);
    decoder.feed(header(10) + "{\"a\":");
    EXPECT_FALSE(decoder.next().has_value());
    auto error = decoder.finish();
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->reason(), FramingReason::Truncated);
    EXPECT_EQ(error->declaredLength(), 10u);
}

TEST(FramingDecoder, EndOfStreamAtAFrameBoundaryIsClean) {
    FrameDecoder decoder(kSmallLimit);
    decoder.feed(header(2) + "{}");
    ASSERT_TRUE(decoder.next().has_value());
    EXPECT_FALSE(decoder.finish().has_value());
}

TEST(FramingDecoder, InvalidUtf8BodyIsDeliveredAndDetectedAsAParseError) {
    FrameDecoder decoder(kSmallLimit);
    const std::string body = "{\"a\":\"\xC3\x28\"}";
    decoder.feed(header(static_cast<std::uint32_t>(body.size())) + body);
    auto result = decoder.next();
    ASSERT_TRUE(result && result->isFrame());
    EXPECT_FALSE(utf8Valid(result->body()));
}

TEST(FramingDecoder, SeveralFramesInOneReadAreAllDeliveredInOrder) {
    FrameDecoder decoder(kSmallLimit);
    decoder.feed(encodeFrame("{\"id\":1}") + encodeFrame("{\"id\":2}") + encodeFrame("") +
                 encodeFrame("{\"id\":3}"));
    std::vector<std::string> bodies;
    while (auto result = decoder.next()) {
        ASSERT_TRUE(result->isFrame());
        bodies.push_back(result->body());
    }
    EXPECT_EQ(bodies, (std::vector<std::string>{"{\"id\":1}", "{\"id\":2}", "", "{\"id\":3}"}));
    EXPECT_TRUE(decoder.atFrameBoundary());
}

TEST(FramingDecoder, FrameSplitOverManyReadsIsReassembled) {
    FrameDecoder decoder(kSmallLimit);
    const std::string body = R"({"jsonrpc":"2.0","id":9,"method":"tokens.list"})";
    const std::string wire = encodeFrame(body) + encodeFrame("{}");
    for (char byte : wire) {
        decoder.feed(std::string_view(&byte, 1));
    }
    auto first = decoder.next();
    ASSERT_TRUE(first && first->isFrame());
    EXPECT_EQ(first->body(), body);
    auto second = decoder.next();
    ASSERT_TRUE(second && second->isFrame());
    EXPECT_EQ(second->body(), "{}");
}

TEST(FramingDecoder, PartialBodyHoldsNoMoreThanWhatArrived) {
    FrameDecoder decoder;  // 16 MiB limit
    decoder.feed(header(static_cast<std::uint32_t>(kDefaultFrameLimit)));
    decoder.feed("abc");
    EXPECT_EQ(decoder.pendingBytes(), 3u);
}

TEST(FramingCodec, EncodeFrameWritesANativeEndianLengthPrefix) {
    const std::string frame = encodeFrame("{}");
    ASSERT_EQ(frame.size(), 6u);
    std::uint32_t length = 0;
    std::memcpy(&length, frame.data(), 4);
    EXPECT_EQ(length, 2u);
    EXPECT_EQ(frame.substr(4), "{}");
}

TEST(FramingCodec, EncodeFrameRefusesABodyAboveTheBrowserLimit) {
    const std::string atLimit(kMaxHostToBrowserFrame, 'a');
    EXPECT_EQ(encodeFrame(atLimit, kMaxHostToBrowserFrame).size(), kMaxHostToBrowserFrame + 4);
    const std::string above(kMaxHostToBrowserFrame + 1, 'a');
    try {
        encodeFrame(above, kMaxHostToBrowserFrame);
        FAIL() << "expected TOO_LARGE";
    } catch (const FramingError& error) {
        EXPECT_EQ(error.word(), "TOO_LARGE");
        EXPECT_EQ(error.declaredLength(), kMaxHostToBrowserFrame + 1);
    }
}
