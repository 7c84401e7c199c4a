#include "PortalHttp.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace firmante::renew::testing {

nlohmann::json portalRequest(const std::string& url, const std::string& method,
                             const std::string& target, const nlohmann::json& body,
                             const std::string& session) {
    namespace http = boost::beast::http;
    const std::string hostPort = url.substr(std::string("http://").size());
    const std::string host = hostPort.substr(0, hostPort.rfind(':'));
    const std::string port = hostPort.substr(hostPort.rfind(':') + 1);
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    boost::asio::ip::tcp::resolver resolver(io);
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> request(http::string_to_verb(method), target, 11);
    request.set(http::field::host, hostPort);
    if (!session.empty()) request.set("X-IDSE-Session", session);
    if (!body.is_null()) {
        request.set(http::field::content_type, "application/json");
        request.body() = body.dump();
    }
    request.prepare_payload();
    http::write(stream, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return nlohmann::json::parse(response.body());
}

}  // namespace firmante::renew::testing
