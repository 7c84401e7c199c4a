#include "WsTestClient.h"

#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/error.hpp>

namespace firmante::websocket::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

template <class Stream, class Start>
boost::system::error_code runOn(net::io_context& io, Stream& lowest, Start&& start,
                                std::chrono::milliseconds timeout, const char* what) {
    bool done = false;
    boost::system::error_code result;
    start([&](const boost::system::error_code& ec, auto&&...) {
        result = ec;
        done = true;
    });
    io.restart();
    io.run_for(timeout);
    if (!done) {
        lowest.cancel();
        io.restart();
        io.run();
        throw std::runtime_error(std::string(what) + ": no answer in time");
    }
    return result;
}

}  // namespace

WsTestClient::WsTestClient(std::uint16_t port, std::string address)
    : ws_(io_), port_(port), address_(std::move(address)) {}

WsTestClient::~WsTestClient() {
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
}

template <class Start>
boost::system::error_code WsTestClient::runFor(Start&& start, std::chrono::milliseconds timeout,
                                               const char* what) {
    return runOn(io_, beast::get_lowest_layer(ws_), std::forward<Start>(start), timeout, what);
}

unsigned WsTestClient::handshake(const std::string& origin, const Decorate& decorate,
                                 std::chrono::milliseconds timeout) {
    const tcp::endpoint endpoint(net::ip::make_address(address_), port_);
    auto ec =
        runFor([&](auto handler) { beast::get_lowest_layer(ws_).async_connect(endpoint, handler); },
               timeout, "connect");
    if (ec) throw std::runtime_error("connect: " + ec.message());
    ws_.set_option(websocket::stream_base::decorator([origin, decorate](Request& request) {
        if (!origin.empty()) request.set(http::field::origin, origin);
        if (decorate) decorate(request);
    }));
    const std::string host =
        (address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_) + ":" +
        std::to_string(port_);
    ec = runFor([&](auto handler) { ws_.async_handshake(response_, host, "/", handler); }, timeout,
                "handshake");
    if (!ec) return 101;
    if (ec == websocket::error::upgrade_declined) return response_.result_int();
    // The server closed without an HTTP answer.
    return 0;
}

void WsTestClient::send(const std::string& text, std::chrono::milliseconds timeout) {
    ws_.text(true);
    auto ec = runFor([&](auto handler) { ws_.async_write(net::buffer(text), handler); }, timeout,
                     "write");
    if (ec) throw std::runtime_error("write: " + ec.message());
}

void WsTestClient::sendBinary(const std::string& bytes, std::chrono::milliseconds timeout) {
    ws_.binary(true);
    auto ec = runFor([&](auto handler) { ws_.async_write(net::buffer(bytes), handler); }, timeout,
                     "write");
    ws_.text(true);
    if (ec) throw std::runtime_error("write: " + ec.message());
}

nlohmann::json WsTestClient::read(std::chrono::milliseconds timeout) {
    buffer_.clear();
    auto ec = runFor([&](auto handler) { ws_.async_read(buffer_, handler); }, timeout, "read");
    if (ec) throw std::runtime_error("read: " + ec.message());
    return nlohmann::json::parse(beast::buffers_to_string(buffer_.data()));
}

nlohmann::json WsTestClient::call(const std::string& method, nlohmann::json params,
                                  std::chrono::milliseconds timeout) {
    const long id = nextId_++;
    nlohmann::json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) request["params"] = std::move(params);
    send(request.dump());
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("no answer to " + method);
        auto message = read(left);
        if (message.contains("id") && message["id"] == id) return message;
        if (!message.contains("id")) notifications_.push_back(std::move(message));
    }
}

std::optional<nlohmann::json> WsTestClient::waitForNotification(const std::string& method,
                                                                std::chrono::milliseconds timeout) {
    for (auto it = notifications_.begin(); it != notifications_.end(); ++it) {
        if (it->value("method", "") == method) {
            auto found = *it;
            notifications_.erase(it);
            return found;
        }
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        nlohmann::json message;
        try {
            message = read(left);
        } catch (const std::exception&) {
            return std::nullopt;
        }
        if (message.value("method", "") == method) return message;
    }
}

int WsTestClient::waitForClose(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("the server did not close in time");
        buffer_.clear();
        auto ec = runFor([&](auto handler) { ws_.async_read(buffer_, handler); }, left, "read");
        if (ec == websocket::error::closed) return static_cast<int>(ws_.reason().code);
        if (ec) return -1;
    }
}

HttpReply plainHttp(std::uint16_t port, const WsTestClient::Request& request,
                    std::chrono::milliseconds timeout) {
    net::io_context io;
    beast::tcp_stream stream(io);
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    auto ec = runOn(
        io, stream, [&](auto handler) { stream.async_connect(endpoint, handler); }, timeout,
        "connect");
    if (ec) throw std::runtime_error("connect: " + ec.message());
    auto copy = request;
    ec = runOn(
        io, stream, [&](auto handler) { http::async_write(stream, copy, handler); }, timeout,
        "write");
    if (ec) throw std::runtime_error("write: " + ec.message());
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    ec = runOn(
        io, stream, [&](auto handler) { http::async_read(stream, buffer, response, handler); },
        timeout, "read");
    if (ec) throw std::runtime_error("read: " + ec.message());
    return {response.result_int(), response.body()};
}

}  // namespace firmante::websocket::testing
