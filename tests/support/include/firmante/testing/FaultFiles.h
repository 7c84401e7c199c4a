#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace firmante::testing {

/// The two files of the fault-injecting module (tests/fault-module) for a module loaded in this
/// process: the words it obeys and the log it writes, kept in `dir` and exported through
/// FIRMANTE_FAULTS and FIRMANTE_FAULTS_LOG while this lives. Make it before the module is loaded.
class FaultFiles {
  public:
    explicit FaultFiles(const std::filesystem::path& dir);
    ~FaultFiles();
    FaultFiles(const FaultFiles&) = delete;
    FaultFiles& operator=(const FaultFiles&) = delete;

    /// Replaces the words (see FaultModule.cpp), e.g. "pinpad count-low".
    void set(const std::string& words) const;
    /// The log, one call or event a line; empty when the module has written nothing yet.
    std::string log() const;
    std::vector<std::string> logLines() const;
    /// How many log lines start with `prefix`.
    int count(const std::string& prefix) const;
    void clearLog() const;

  private:
    std::string words_, log_;
};

}  // namespace firmante::testing
