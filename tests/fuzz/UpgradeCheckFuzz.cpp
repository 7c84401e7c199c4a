// The WebSocket upgrade checks (firmante::websocket::checkUpgradeRequest) on any bytes a local
// process can send to the loopback port, parsed by Beast with the limits HttpSession uses.
// Input: byte 0 picks the server port (80 or 8765), the rest is the request. Properties: an
// accepted request has exactly one Host, naming this loopback server, and exactly one Origin that
// is a web or extension origin (not `local`, not `null`) and it is a WebSocket upgrade; a refusal's
// text is printable ASCII without line breaks (it goes to the log and the response as is).
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "FuzzCheck.h"
#include "firmante/agent/Origin.h"
#include "firmante/websocket/UpgradeCheck.h"

namespace http = boost::beast::http;

namespace {

constexpr std::uint32_t kHeaderLimit = 8 * 1024;  // WebSocketSettings::maxHeaderBytes

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Independent statement of "names this loopback server" (UpgradeCheck.h).
bool namesUs(std::string_view host, std::uint16_t port) {
    const std::string value = lower(host);
    for (std::string name : {"127.0.0.1", "[::1]", "localhost"}) {
        if (value == name + ":" + std::to_string(port)) return true;
        if (port == 80 && value == name) return true;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint16_t port = (data[0] & 1) ? 80 : 8765;
    http::request_parser<http::empty_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(0);
    boost::beast::error_code ec;
    boost::asio::const_buffer input(data + 1, size - 1);
    while (input.size() > 0 && !parser.is_header_done()) {
        const std::size_t used = parser.put(input, ec);
        if (ec || used == 0) break;
        input += used;
    }
    if (!parser.is_header_done()) return 0;
    const auto& request = parser.get();

    const auto host = request.find(http::field::host);
    if (host != request.end()) {
        const std::string_view value(host->value().data(), host->value().size());
        FUZZ_CHECK(firmante::websocket::isLoopbackHost(value, port) == namesUs(value, port));
    }
    const auto refusal = firmante::websocket::checkUpgradeRequest(request, port);
    if (refusal) {
        FUZZ_CHECK(!refusal->reason.empty());
        for (unsigned char c : refusal->reason) FUZZ_CHECK(c >= 0x20 && c < 0x7F);
        return 0;
    }
    FUZZ_CHECK(request.count(http::field::host) == 1);
    FUZZ_CHECK(request.count(http::field::origin) == 1);
    FUZZ_CHECK(request.count(http::field::upgrade) == 1);
    FUZZ_CHECK(namesUs(std::string_view(host->value().data(), host->value().size()), port));
    FUZZ_CHECK(boost::beast::websocket::is_upgrade(request));
    FUZZ_CHECK(request.method() == http::verb::get);
    const auto origin = request.find(http::field::origin);
    const std::string_view value(origin->value().data(), origin->value().size());
    FUZZ_CHECK(value != firmante::agent::kLocalOrigin && value != "null");
    FUZZ_CHECK(firmante::agent::isValidOrigin(value));
    FUZZ_CHECK(value.starts_with("http://") || value.starts_with("https://") ||
               value.starts_with("chrome-extension://") || value.starts_with("moz-extension://"));
    return 0;
}
