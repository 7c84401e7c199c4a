#pragma once

#include <filesystem>
#include <sstream>
#include <string>

#include "AgentFixture.h"
#include "firmante/testing/Process.h"

namespace firmante::agent::testing {

/// An agent on the fault-injecting module (tests/fault-module) over the test's SoftHSM token:
/// the words it obeys in `dir/faults`, its log of calls and events in `dir/faults.log`.
class FaultAgentFixture : public AgentFixture {
  protected:
    FaultAgentFixture(const char* dirPrefix, const std::string& tokenLabel)
        : AgentFixture(dirPrefix, tokenLabel,
                       [](const firmante::testing::TempDir& d) -> Environment {
                           return {{"FIRMANTE_MODULE", FIRMANTE_FAULT_MODULE},
                                   {"FIRMANTE_FAULTS", (d / "faults").string()},
                                   {"FIRMANTE_FAULTS_LOG", (d / "faults.log").string()}};
                       }) {}

    /// Replaces the words the module obeys, e.g. "slot-events removed".
    void faults(const std::string& words) const {
        firmante::testing::writeFile((dir / "faults").string(), words);
    }
    /// Lines of the module's log that contain `what` (at the start only, when `atStart`).
    int logged(const std::string& what, bool atStart = true) const {
        if (!std::filesystem::exists(dir / "faults.log")) return 0;
        std::istringstream text(firmante::testing::readFile((dir / "faults.log").string()));
        int n = 0;
        for (std::string line; std::getline(text, line);)
            n += atStart ? line.starts_with(what) : line.find(what) != std::string::npos;
        return n;
    }
};

}  // namespace firmante::agent::testing
