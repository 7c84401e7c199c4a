// TEST DOUBLE: a stand-in for firmante-agent that firmante-nmhost can start on its own
// (FIRMANTE_AGENT points here). Listens on $FIRMANTE_SOCKET, writes its pid to
// "$FIRMANTE_SOCKET.pid" so the test can clean up, and exits when its last client leaves.

#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "firmante/testing/FakeAgent.h"

int main() {
    std::signal(SIGPIPE, SIG_IGN);
    const char* path = std::getenv("FIRMANTE_SOCKET");
    if (path == nullptr || *path == '\0') return 2;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    firmante::testing::FakeAgent agent(path);
    std::ofstream(std::string(path) + ".pid") << ::getpid() << '\n';
    agent.serve(/*exitWhenIdle=*/true);
    return 0;
}
