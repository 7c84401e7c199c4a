#pragma once

#include <map>
#include <string>
#include <vector>

namespace firmante::testing {

struct ProcessResult {
    int exitCode = -1;  // -1 when killed by a signal
    std::string out;
    std::string err;
};

/// Runs a program (no shell) with `input` on stdin, waiting for it to end; extra environment
/// variables are added to the test's own. Throws std::runtime_error if it cannot start.
ProcessResult run(const std::vector<std::string>& argv, const std::string& input = {},
                  const std::map<std::string, std::string>& env = {});

/// Writes a file (binary).
void writeFile(const std::string& path, const std::string& bytes);
/// Reads a whole file (binary); throws when missing.
std::string readFile(const std::string& path);

}  // namespace firmante::testing
