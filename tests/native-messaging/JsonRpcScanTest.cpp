#include <gtest/gtest.h>

#include "firmante/nm/JsonRpcScan.h"

using firmante::nm::findTopLevelId;

TEST(FramingJsonRpcScan, FindsNumericStringAndNullIds) {
    EXPECT_EQ(findTopLevelId(R"({"jsonrpc":"2.0","id":7,"result":{}})"), "7");
    EXPECT_EQ(findTopLevelId(R"({"id":"a\"b","result":1})"), R"("a\"b")");
    EXPECT_EQ(findTopLevelId(R"( { "id" : null } )"), "null");
    EXPECT_EQ(findTopLevelId(R"({"id":-1.5e3})"), "-1.5e3");
}

TEST(FramingJsonRpcScan, SkipsNestedIdsAndFindsTheTopLevelOneAfterALargeResult) {
    const std::string big(100000, 'x');
    const std::string json = R"({"jsonrpc":"2.0","result":{"id":1,"list":[{"id":2},"]}"],"s":")" +
                             big + R"("},"id":42})";
    EXPECT_EQ(findTopLevelId(json), "42");
}

TEST(FramingJsonRpcScan, ReturnsNothingWithoutAUsableId) {
    EXPECT_FALSE(findTopLevelId(R"({"method":"tokens.changed","params":{"id":3}})"));
    EXPECT_FALSE(findTopLevelId(R"({"id":{"x":1}})"));
    EXPECT_FALSE(findTopLevelId(R"([{"id":1}])"));
    EXPECT_FALSE(findTopLevelId(R"({"a":"unterminated)"));
    EXPECT_FALSE(findTopLevelId(""));
}

TEST(FramingJsonRpcScan, FindsTheIdInAPrefixButNeverGuessesACutOffOne) {
    EXPECT_EQ(findTopLevelId(R"({"id":123,"jsonrpc":"2.0","result":"xxxxx)"), "123");
    EXPECT_FALSE(findTopLevelId(R"({"id":12)"));
    EXPECT_FALSE(findTopLevelId(R"({"id":"ab)"));
    EXPECT_FALSE(findTopLevelId(R"({"jsonrpc":"2.0","result":"xxxxx)"));
}
