#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "Closable.h"
#include "ServerState.h"

namespace firmante::websocket {

/// A connection before it is a WebSocket: reads the upgrade request (header size limit and a
/// deadline), checks Host, Origin and duplicates, asks the OriginPolicy's queue about an origin
/// not yet allowed (waiting at most settings.consentWait, in one of a few consent places), then
/// hands the socket and any bytes read past the request to a WebSocketSession — or answers with
/// a short HTTP refusal and closes.
class HttpSession : public Closable, public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                ConnectionSlot slot);

    ~HttpSession() override;

    void run();
    void shutdown() noexcept override;

  private:
    void onRead(const boost::system::error_code& ec);
    void askAboutOrigin(std::string origin);
    void onAnswer(const std::string& origin, bool approved);
    void endConsentWait() noexcept;
    void upgrade(std::string origin);
    void refuse(boost::beast::http::status status, const std::string& reason);

    boost::beast::tcp_stream stream_;
    std::shared_ptr<ServerState> state_;
    ConnectionSlot slot_;
    std::uint64_t id_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> parser_;
    std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> response_;
    boost::asio::steady_timer consentTimer_;
    bool waitingForConsent_ = false;
    bool done_ = false;
};

}  // namespace firmante::websocket
