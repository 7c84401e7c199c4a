#include "RealAgent.h"

#include <signal.h>

namespace firmante::cli::test {

RealAgent::RealAgent(std::string socketPath, std::map<std::string, std::string> env,
                     std::string stderrPath)
    : socket_(std::move(socketPath)), env_(std::move(env)), stderr_(std::move(stderrPath)) {}

RealAgent::~RealAgent() {
    if (child_) child_->stop(SIGTERM, std::chrono::seconds(10));
}

void RealAgent::start() {
    child_.emplace(std::vector<std::string>{FIRMANTE_AGENT_BINARY}, env_, stderr_, stderr_);
    child_->waitUntil([&] { return firmante::testing::acceptsConnections(socket_); },
                      "firmante-agent", stderr_);
}

}  // namespace firmante::cli::test
