#include "PortalProcess.h"

#include <signal.h>

#include <fstream>

namespace firmante::renew::testing {

PortalProcess::PortalProcess(std::filesystem::path stateDir) : stateDir_(std::move(stateDir)) {}

PortalProcess::~PortalProcess() {
    if (child_) child_->stop(SIGTERM, std::chrono::seconds(10));
}

void PortalProcess::start() {
    std::filesystem::create_directories(stateDir_);
    const auto out = stateDir_.parent_path() / "portal.out";
    const auto err = stateDir_.parent_path() / "portal.err";
    // A fresh output file: its first line is this run's URL.
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    child_.emplace(std::vector<std::string>{binary(), "serve", "--state-dir", stateDir_.string(),
                                            "--port", "0"},
                   std::map<std::string, std::string>{}, out, err);
    child_->waitUntil(
        [&] {
            std::ifstream in(out);
            std::string line;
            if (!std::getline(in, line) || in.eof() || line.rfind("http://", 0) != 0) return false;
            url_ = line;
            return true;
        },
        "firmante-portal", err);
}

}  // namespace firmante::renew::testing
