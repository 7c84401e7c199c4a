// A WebSocket client as a separate program, so a test can run it as another user
// (setpriv --reuid): `firmante-ws-probe PORT ORIGIN`. Prints one JSON object: the upgrade's HTTP
// status (0: closed without an answer) and, when open, what certificates.list and tokens.list
// returned.
#include <cstdlib>
#include <iostream>

#include "WsTestClient.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: firmante-ws-probe PORT ORIGIN\n";
        return 2;
    }
    using firmante::websocket::testing::WsTestClient;
    nlohmann::json report;
    try {
        WsTestClient client(static_cast<std::uint16_t>(std::atoi(argv[1])));
        const unsigned status = client.handshake(argv[2]);
        report["status"] = status;
        if (status == 101) {
            report["certificates"] = client.call("certificates.list");
            report["tokens"] = client.call("tokens.list");
        }
    } catch (const std::exception& e) {
        report["error"] = e.what();
    }
    std::cout << report.dump() << "\n";
    return 0;
}
