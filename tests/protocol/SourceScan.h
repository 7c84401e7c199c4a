#pragma once
// Reading the product's own sources, for tests that hold them to the protocol tables: no binary
// spells a reason word or a method name outside protocol/*.json.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace firmante::tests {

inline std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Every C++ source of the binaries (tests are excluded: they check the wire with literals, as an
// independent observer should).
inline std::vector<std::filesystem::path> productSources() {
    std::vector<std::filesystem::path> files;
    for (const char* dir : {"agent", "cli", "native-messaging", "pkcs11", "protocol", "views"}) {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(
                 std::filesystem::path(FIRMANTE_SOURCE_DIR) / dir)) {
            const auto ext = entry.path().extension();
            if (ext == ".cpp" || ext == ".h" || ext == ".hpp") files.push_back(entry.path());
        }
    }
    return files;
}

// The lines of the product's sources (comments cut) that match any of `patterns`, as
// "file:line: text"; `scanned` counts the files read.
inline std::vector<std::string> sourceLinesMatching(const std::vector<std::regex>& patterns,
                                                    std::size_t& scanned) {
    std::vector<std::string> found;
    scanned = 0;
    for (const auto& file : productSources()) {
        ++scanned;
        std::istringstream lines(readFile(file));
        std::string line;
        for (int number = 1; std::getline(lines, line); ++number) {
            const auto comment = line.find("//");
            const auto code = comment == std::string::npos ? line : line.substr(0, comment);
            for (const auto& pattern : patterns) {
                if (!std::regex_search(code, pattern)) continue;
                found.push_back(std::filesystem::relative(file, FIRMANTE_SOURCE_DIR).string() +
                                ":" + std::to_string(number) + ": " + line);
                break;
            }
        }
    }
    return found;
}

}  // namespace firmante::tests
