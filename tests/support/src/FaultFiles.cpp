#include "firmante/testing/FaultFiles.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "firmante/testing/Process.h"

namespace firmante::testing {

FaultFiles::FaultFiles(const std::filesystem::path& dir)
    : words_((dir / "faults").string()), log_((dir / "faults.log").string()) {
    set("");
    ::setenv("FIRMANTE_FAULTS", words_.c_str(), 1);
    ::setenv("FIRMANTE_FAULTS_LOG", log_.c_str(), 1);
}

FaultFiles::~FaultFiles() {
    ::unsetenv("FIRMANTE_FAULTS");
    ::unsetenv("FIRMANTE_FAULTS_LOG");
}

void FaultFiles::set(const std::string& words) const {
    writeFile(words_, words);
}

std::string FaultFiles::log() const {
    std::ifstream f(log_, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<std::string> FaultFiles::logLines() const {
    std::istringstream in(log());
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

int FaultFiles::count(const std::string& prefix) const {
    int n = 0;
    for (const auto& line : logLines()) n += line.starts_with(prefix);
    return n;
}

void FaultFiles::clearLog() const {
    writeFile(log_, "");
}

}  // namespace firmante::testing
