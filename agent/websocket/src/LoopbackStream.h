#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace firmante::websocket {

/// beast::tcp_stream with a WebSocket teardown that drains what the peer still sends before
/// closing. Beast 1.74's own TCP teardown stops draining after the first read
/// (`bytes_transferred` is never set), so the socket closes with unread bytes, the kernel answers
/// with a reset, and the peer may lose our close frame — e.g. the 1009 for an oversized message.
/// It also gives back bytes read before the WebSocket took the socket (putBack).
class LoopbackStream : public boost::beast::tcp_stream {
  public:
    using boost::beast::tcp_stream::tcp_stream;

    /// The next reads return these bytes before anything from the socket: what the client sent
    /// right behind its upgrade request, read into the HTTP parser's buffer.
    void putBack(std::string bytes) { early_ = std::move(bytes); }

    /// Hides tcp_stream's: Beast's websocket::stream calls it on its next layer by name.
    template <class MutableBufferSequence, class ReadHandler>
    auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
        return boost::asio::async_initiate<ReadHandler,
                                           void(boost::system::error_code, std::size_t)>(
            [this](auto completion, const MutableBufferSequence& into) {
                if (early_.empty()) {
                    boost::beast::tcp_stream::async_read_some(into, std::move(completion));
                    return;
                }
                const std::size_t n = boost::asio::buffer_copy(into, boost::asio::buffer(early_));
                early_.erase(0, n);
                // Never complete inside the initiating call (asio's rule for async operations).
                boost::asio::post(get_executor(),
                                  boost::beast::bind_front_handler(std::move(completion),
                                                                   boost::system::error_code{}, n));
            },
            handler, buffers);
    }

  private:
    std::string early_;
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
