// Issue 10 §2: JSON-RPC methods are named and described in one table, protocol/methods.json. The
// agent registers exactly its rows (tests/agent: MethodTable.*), the extension and page API read
// generated modules (extension/test/methods.test.mjs); here the rows are held to the rules the
// trust model needs, and the sources to "no second spelling".
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "SourceScan.h"
#include "firmante/protocol/MethodTable.h"

using firmante::protocol::methods::kTable;

TEST(MethodTable, RowsKeepTheTrustRules) {
    ASSERT_GE(kTable.size(), 13u);
    for (const auto& row : kTable) {
        const std::string name(row.name);
        // Only agent.info may be called before consent: a page must learn whether an agent
        // runs, and nothing else.
        EXPECT_EQ(row.needsOrigin, name != "agent.info") << name;
        // The extension's own pages read status; nothing they call may prompt, sign or change.
        if (row.extensionPages) {
            EXPECT_FALSE(row.prompts) << name;
            EXPECT_FALSE(row.renewalStep || row.changesCertificates) << name;
        }
        // Every renewal.* method but status is a step; a step waits on a person.
        EXPECT_EQ(row.renewalStep, name.starts_with("renewal.") && name != "renewal.status")
            << name;
        if (row.renewalStep) EXPECT_TRUE(row.prompts) << name;
        if (row.endsRenewal) EXPECT_TRUE(row.renewalStep) << name;
        // What the tray lists is what the person approved: a method that prompts.
        if (!row.activityEs.empty()) EXPECT_TRUE(row.prompts) << name;
        EXPECT_EQ(row.activityEs.empty(), row.activityEn.empty()) << name;
    }
}

TEST(MethodTable, NoBinarySpellsAMethodNameOutsideTheTable) {
    // A quoted name of the table in code is a second spelling: use
    // protocol::methods::names::X (or the row, protocol::methods::find).
    std::string alternatives;
    for (const auto& row : kTable) {
        if (!alternatives.empty()) alternatives += '|';
        alternatives += std::regex_replace(std::string(row.name), std::regex("\\."), "\\.");
    }
    const std::regex spelled("\"(" + alternatives + ")\"");
    std::size_t scanned = 0;
    const auto found = firmante::tests::sourceLinesMatching({spelled}, scanned);
    EXPECT_GT(scanned, 100u) << "the source tree was not found";
    std::string listing;
    for (const auto& f : found) listing += "\n  " + f;
    EXPECT_TRUE(found.empty()) << found.size() << " second spellings:" << listing;
}
