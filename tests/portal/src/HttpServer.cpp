#include "firmante/portal/HttpServer.h"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <memory>
#include <optional>

namespace firmante::portal {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kHeaderLimit = 16 * 1024;

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
  public:
    HttpConnection(tcp::socket socket, Portal& portal, std::chrono::seconds timeout)
        : stream_(std::move(socket)), portal_(portal), timeout_(timeout) {}

    void run() { read(); }

  private:
    void read() {
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(Portal::kMaxBody);
        stream_.expires_after(timeout_);
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
    }

    void onRead(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::connection_reset || ec == asio::error::eof)
            return close();
        if (ec == http::error::body_limit)
            return sendError(413, "TOO_LARGE", "La solicitud es demasiado grande.");
        if (ec == http::error::header_limit)
            return sendError(431, "TOO_LARGE", "Encabezados demasiado grandes.");
        if (ec) return sendError(400, "BAD_REQUEST", "Solicitud HTTP mal formada.");

        auto& req = parser_->get();
        PortalRequest request;
        request.method = std::string(req.method_string());
        request.target = std::string(req.target());
        request.host = std::string(req[http::field::host]);
        request.origin = std::string(req[http::field::origin]);
        request.session = std::string(req["X-IDSE-Session"]);
        request.cookie = std::string(req[http::field::cookie]);
        request.body = std::move(req.body());
        PortalResponse response = portal_.handle(request);
        logRequest(request, response.status);
        send(response, req.keep_alive(), req.method() == http::verb::head);
    }

    static void logRequest(const PortalRequest& r, int status) {
        // One line per request on stderr (stdout carries only the URL line). The link
        // token is a bearer secret, so it is not written out.
        std::string path = r.target.substr(0, r.target.find('?'));
        if (path.rfind("/liga/", 0) == 0) path = "/liga/…";
        std::fprintf(stderr, "firmante-portal: %s %s -> %d\n", r.method.c_str(), path.c_str(),
                     status);
    }

    void sendError(unsigned status, const char* code, const char* message) {
        PortalResponse r;
        r.status = static_cast<int>(status);
        r.body =
            std::string("{\"error\":{\"code\":\"") + code + "\",\"message\":\"" + message + "\"}}";
        send(r, false, false);
    }

    void send(const PortalResponse& r, bool keepAlive, bool head) {
        auto res = std::make_shared<http::response<http::string_body>>(
            static_cast<http::status>(r.status), 11);
        res->set(http::field::server, "firmante-portal");
        res->set(http::field::content_type, r.contentType);
        for (const auto& [name, value] : r.headers) res->insert(name, value);
        if (!head) res->body() = r.body;
        res->keep_alive(keepAlive);
        res->prepare_payload();
        if (head) res->content_length(r.body.size());
        stream_.expires_after(timeout_);
        http::async_write(
            stream_, *res,
            [self = shared_from_this(), res, keepAlive](beast::error_code ec, size_t) {
                if (ec || !keepAlive) return self->close();
                self->read();
            });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.socket().close(ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Portal& portal_;
    std::chrono::seconds timeout_;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, Portal& portal, uint16_t port,
                       std::chrono::seconds timeout)
    : io_(io), portal_(portal), acceptor_(io), port_(port), timeout_(timeout) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
}

void HttpServer::start() {
    accept();
}

void HttpServer::accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket s) {
        if (!ec) std::make_shared<HttpConnection>(std::move(s), portal_, timeout_)->run();
        if (acceptor_.is_open()) accept();
    });
}

}  // namespace firmante::portal
