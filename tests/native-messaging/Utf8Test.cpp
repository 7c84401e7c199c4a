#include <gtest/gtest.h>

#include "firmante/nm/Utf8.h"

using firmante::nm::utf8Valid;

TEST(FramingUtf8, AcceptsAsciiAndWellFormedMultibyteText) {
    EXPECT_TRUE(utf8Valid(""));
    EXPECT_TRUE(utf8Valid(R"({"a":1})"));
    EXPECT_TRUE(utf8Valid("Identificación año €"));
    EXPECT_TRUE(utf8Valid("\xF0\x9F\x94\x90"));           // U+1F510
    EXPECT_TRUE(utf8Valid("\xF4\x8F\xBF\xBF"));           // U+10FFFF, the last code point
    EXPECT_TRUE(utf8Valid(std::string_view("a\0b", 3)));  // NUL is valid UTF-8
}

TEST(FramingUtf8, RejectsMalformedSequences) {
    EXPECT_FALSE(utf8Valid("\x80"));              // lone continuation byte
    EXPECT_FALSE(utf8Valid("\xC3\x28"));          // bad continuation
    EXPECT_FALSE(utf8Valid("\xC3"));              // truncated sequence
    EXPECT_FALSE(utf8Valid("\xE2\x82"));          // truncated three-byte sequence
    EXPECT_FALSE(utf8Valid("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(utf8Valid("\xE0\x80\xAF"));      // overlong three-byte
    EXPECT_FALSE(utf8Valid("\xF0\x80\x80\xAF"));  // overlong four-byte
    EXPECT_FALSE(utf8Valid("\xED\xA0\x80"));      // U+D800 surrogate
    EXPECT_FALSE(utf8Valid("\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(utf8Valid("\xFF"));
}
