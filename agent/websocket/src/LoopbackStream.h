#pragma once

#include <array>
#include <chrono>
#include <memory>

#include <boost/asio/compose.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace firmante::websocket {

/// beast::tcp_stream with a WebSocket teardown that drains what the peer still sends before
/// closing. Beast 1.74's own TCP teardown stops draining after the first read
/// (`bytes_transferred` is never set), so the socket closes with unread bytes, the kernel answers
/// with a reset, and the peer may lose our close frame — e.g. the 1009 for an oversized message.
class LoopbackStream : public boost::beast::tcp_stream {
  public:
    using boost::beast::tcp_stream::tcp_stream;
};

namespace detail {

struct DrainingTeardown {
    LoopbackStream& stream;
    boost::beast::role_type role;
    std::unique_ptr<std::array<char, 4096>> buffer = std::make_unique<std::array<char, 4096>>();
    bool started = false;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t = 0) {
        namespace net = boost::asio;
        if (!started) {
            started = true;
            if (role == boost::beast::role_type::server) {
                stream.socket().shutdown(net::socket_base::shutdown_send, ec);
            }
            // A peer that never finishes gets a few seconds, not forever.
            stream.expires_after(std::chrono::seconds(5));
            stream.async_read_some(net::buffer(*buffer), std::move(self));
            return;
        }
        if (!ec) {
            stream.async_read_some(net::buffer(*buffer), std::move(self));
            return;
        }
        boost::system::error_code ignored;
        if (role == boost::beast::role_type::client) {
            stream.socket().shutdown(net::socket_base::shutdown_send, ignored);
        }
        stream.expires_never();
        stream.socket().close(ignored);
        self.complete(ec == net::error::eof ? boost::system::error_code{} : ec);
    }
};

}  // namespace detail

/// Found by Beast's websocket::stream through argument-dependent lookup; an exact match, so it
/// wins over Beast's template for basic_stream.
template <class TeardownHandler>
auto async_teardown(boost::beast::role_type role, LoopbackStream& stream,
                    TeardownHandler&& handler) {
    return boost::asio::async_compose<TeardownHandler, void(boost::system::error_code)>(
        detail::DrainingTeardown{stream, role}, handler, stream);
}

/// The blocking form Beast may instantiate; the agent only uses the asynchronous one.
inline void teardown(boost::beast::role_type role, LoopbackStream& stream,
                     boost::system::error_code& ec) {
    boost::beast::websocket::teardown(role, stream.socket(), ec);
}

}  // namespace firmante::websocket
