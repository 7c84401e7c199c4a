// Issue 10 §1: reason words are spelled in one table, protocol/reasons.json. These tests hold the
// generated C++ view to the JSON-RPC codes DESIGN §2 fixes, and hold the sources to the rule: no
// binary spells a word the table has, and none raises a word the table lacks.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>

#include "SourceScan.h"
#include "firmante/protocol/Reasons.h"

namespace fs = std::filesystem;
using namespace firmante::protocol;

using firmante::tests::readFile;

TEST(ReasonTable, JsonRpcCodesAreTheOnesDesignFixes) {
    EXPECT_EQ(reasonInfo(Reason::ParseError).rpcCode, -32700);
    EXPECT_EQ(reasonInfo(Reason::InvalidRequest).rpcCode, -32600);
    EXPECT_EQ(reasonInfo(Reason::MethodNotFound).rpcCode, -32601);
    EXPECT_EQ(reasonInfo(Reason::InvalidParams).rpcCode, -32602);
    for (const auto& row : reasonTable()) {
        if (row.reason > Reason::InvalidParams) EXPECT_EQ(row.rpcCode, -32000) << row.word;
    }
}

TEST(ReasonTable, EveryDesignWordIsThereWithBothSentences) {
    // DESIGN §2's fixed words must never disappear from the table.
    for (const char* word : {"PARSE_ERROR", "INVALID_REQUEST", "METHOD_NOT_FOUND", "INVALID_PARAMS",
                             "TOO_LARGE", "ORIGIN_NOT_ALLOWED", "USER_CANCELLED", "PIN_INCORRECT",
                             "PIN_LOCKED", "TOKEN_NOT_PRESENT", "TOKEN_REMOVED", "KEY_NOT_FOUND",
                             "CERTIFICATE_NOT_FOUND", "CERTIFICATE_MISMATCH", "LETTER_MISMATCH",
                             "RENEWAL_STATE", "BUSY", "TIMEOUT", "INTERNAL"}) {
        const auto* row = findReason(word);
        ASSERT_NE(row, nullptr) << word;
        EXPECT_EQ(row->source, Source::Agent) << word;
    }
    std::set<std::string_view> seen;
    for (const auto& row : reasonTable()) {
        EXPECT_TRUE(seen.insert(row.word).second) << "twice: " << row.word;
        EXPECT_FALSE(row.es.empty()) << row.word;
        EXPECT_FALSE(row.en.empty()) << row.word;
        EXPECT_NE(row.es, row.en) << row.word << " has no Spanish sentence";
        EXPECT_EQ(reasonWord(row.reason), row.word);
    }
}

TEST(ReasonTable, RetriableMeansThePersonCanFixTheCause) {
    for (auto r : {Reason::PinIncorrect, Reason::UserCancelled, Reason::TokenRemoved,
                   Reason::TokenNotPresent, Reason::Busy, Reason::Timeout})
        EXPECT_TRUE(reasonInfo(r).retriable) << reasonWord(r);
    for (auto r : {Reason::PinLocked, Reason::LetterMismatch, Reason::OriginNotAllowed,
                   Reason::Internal, Reason::CertificateUntrusted})
        EXPECT_FALSE(reasonInfo(r).retriable) << reasonWord(r);
}

TEST(ReasonTable, ExitCodesGroupReasonsAsDocsCliSays) {
    EXPECT_EQ(reasonInfo(Reason::PinIncorrect).exit, ExitCode::WrongSecret);
    EXPECT_EQ(static_cast<int>(ExitCode::WrongSecret), 2);
    EXPECT_EQ(static_cast<int>(reasonInfo(Reason::PinLocked).exit), 3);
    EXPECT_EQ(static_cast<int>(reasonInfo(Reason::UserCancelled).exit), 4);
    EXPECT_EQ(static_cast<int>(reasonInfo(Reason::TokenNotPresent).exit), 5);
    EXPECT_EQ(static_cast<int>(reasonInfo(Reason::KeyNotFound).exit), 6);
    EXPECT_EQ(static_cast<int>(reasonInfo(Reason::LetterMismatch).exit), 7);
    EXPECT_EQ(static_cast<int>(reasonInfo(Reason::OriginNotAllowed).exit), 8);
    EXPECT_EQ(static_cast<int>(reasonInfo(Reason::NotAvailable).exit), 9);
    EXPECT_EQ(static_cast<int>(reasonInfo(Reason::Internal).exit), 10);
    // An unknown word is treated as INTERNAL, never as success.
    EXPECT_EQ(reasonInfoOrInternal("NO_SUCH_WORD").reason, Reason::Internal);
}

TEST(ReasonTable, NoBinarySpellsAReasonWordOutsideTheTable) {
    // A quoted word of the table in code (not a comment) is a second spelling: use
    // protocol::words::X or protocol::Reason::X instead.
    std::string alternatives;
    for (const auto& row : reasonTable()) {
        if (!alternatives.empty()) alternatives += '|';
        alternatives += row.word;
    }
    const std::regex spelled("\"(" + alternatives + ")\"");
    // A word raised as a literal, known or not: RpcError("X", CliError("X", HostError("X", …
    const std::regex raised(R"re((RpcError|CliError|HostError|ListenError)\("([A-Z][A-Z_]+)")re");
    std::size_t scanned = 0;
    const auto found = firmante::tests::sourceLinesMatching({spelled, raised}, scanned);
    EXPECT_GT(scanned, 100u) << "the source tree was not found";
    std::string listing;
    for (const auto& f : found) listing += "\n  " + f;
    EXPECT_TRUE(found.empty()) << found.size() << " second spellings:" << listing;
}

TEST(ReasonTable, DocsCliTableMatches) {
    // docs/cli.md's "Errors and exit codes" table: every word it lists has that exit status, and
    // every word the agent or the CLI can raise is listed.
    std::istringstream lines(readFile(fs::path(FIRMANTE_SOURCE_DIR) / "docs" / "cli.md"));
    const std::regex row(R"(^\| (\d+) \|)");
    const std::regex word("`([A-Z][A-Z_]{3,})`");
    std::set<std::string> listed;
    std::string line;
    bool inSection = false;
    while (std::getline(lines, line)) {
        if (line.starts_with("## ")) inSection = line == "## Errors and exit codes";
        std::smatch m;
        if (!inSection || !std::regex_search(line, m, row)) continue;
        const int exit = std::stoi(m[1]);
        for (std::sregex_iterator it(line.begin(), line.end(), word), end; it != end; ++it) {
            const std::string w = (*it)[1];
            const auto* info = findReason(w);
            ASSERT_NE(info, nullptr) << "docs/cli.md lists " << w << ", which the table lacks";
            EXPECT_EQ(static_cast<int>(info->exit), exit) << w;
            listed.insert(w);
        }
    }
    for (const auto& info : reasonTable()) {
        if (info.source != Source::Link)
            EXPECT_TRUE(listed.count(std::string(info.word))) << info.word;
    }
}
