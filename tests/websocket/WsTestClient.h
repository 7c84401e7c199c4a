#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

namespace firmante::websocket::testing {

using namespace std::chrono_literals;

/// A browser stand-in: a Beast WebSocket client on its own io_context, every operation bounded
/// by a deadline (a stuck agent fails the test instead of hanging it).
class WsTestClient {
  public:
    using Request = boost::beast::http::request<boost::beast::http::empty_body>;
    using Decorate = std::function<void(Request&)>;

    explicit WsTestClient(std::uint16_t port, std::string address = "127.0.0.1");
    ~WsTestClient();
    WsTestClient(const WsTestClient&) = delete;
    WsTestClient& operator=(const WsTestClient&) = delete;

    /// Connects and sends the upgrade with `origin` (empty: no Origin header) and whatever
    /// `decorate` changes. Returns the HTTP status of the answer: 101 when the socket is open.
    unsigned handshake(const std::string& origin, const Decorate& decorate = {},
                       std::chrono::milliseconds timeout = 15s);
    /// The body of a refused upgrade.
    std::string refusalBody() const { return response_.body(); }

    void send(const std::string& text, std::chrono::milliseconds timeout = 10s);
    void sendBinary(const std::string& bytes, std::chrono::milliseconds timeout = 10s);
    /// The next message. Throws on timeout and when the connection ends.
    nlohmann::json read(std::chrono::milliseconds timeout = 30s);
    /// Sends a request with the next id and returns the response with that id (notifications
    /// in between are kept for takeNotification()).
    nlohmann::json call(const std::string& method, nlohmann::json params = nullptr,
                        std::chrono::milliseconds timeout = 60s);
    /// The first notification with this method, read until the deadline; nullopt at the deadline.
    std::optional<nlohmann::json> waitForNotification(const std::string& method,
                                                      std::chrono::milliseconds timeout);
    /// Reads until the server closes; returns its close code, or -1 when the connection
    /// dropped without a close frame. Throws on timeout.
    int waitForClose(std::chrono::milliseconds timeout = 15s);

  private:
    template <class Start>
    boost::system::error_code runFor(Start&& start, std::chrono::milliseconds timeout,
                                     const char* what);

    boost::asio::io_context io_;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::beast::flat_buffer buffer_;
    boost::beast::websocket::response_type response_;
    std::uint16_t port_;
    std::string address_;
    std::vector<nlohmann::json> notifications_;
    long nextId_ = 1;
};

/// One plain HTTP request over TCP (no upgrade); returns status and body.
struct HttpReply {
    unsigned status = 0;
    std::string body;
};
HttpReply plainHttp(std::uint16_t port, const WsTestClient::Request& request,
                    std::chrono::milliseconds timeout = 10s);

}  // namespace firmante::websocket::testing
