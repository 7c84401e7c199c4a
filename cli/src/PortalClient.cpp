#include "PortalClient.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <regex>

#include "CliError.h"
#include "Messages.h"
#include "RenewText.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

// Largest answer accepted: letters are PDFs of a few KiB; certificates smaller still.
constexpr std::uint64_t kMaxAnswerBytes = 8u * 1024u * 1024u;

std::string reasonFor(const std::string& portalCode) {
    if (portalCode == protocol::words::LetterMismatch ||
        portalCode == protocol::words::CertificateMismatch)
        return portalCode;
    if (portalCode == protocol::words::SignatureInvalid || portalCode == "POSSESSION_NOT_PROVEN")
        return protocol::words::SignatureInvalid;
    if (portalCode == "STEP_ORDER") return protocol::words::RenewalState;
    return protocol::words::PortalError;
}

}  // namespace

PortalClient::PortalClient(const std::string& url) {
    static const std::regex re(R"(^http://(127\.0\.0\.1|localhost|\[::1\])(:([0-9]{1,5}))?/?$)");
    std::smatch m;
    if (!std::regex_match(url, m, re))
        throw CliError(protocol::words::InvalidParams, renewText("badPortal", {url}));
    std::string name = m[1].str();
    host_ = name == "[::1]" ? "::1" : name;
    port_ = m[3].matched ? m[3].str() : "80";
    if (std::stoi(port_) < 1 || std::stoi(port_) > 65535)
        throw CliError(protocol::words::InvalidParams, renewText("badPortal", {url}));
    hostHeader_ = m[3].matched ? name + ":" + port_ : name;
    origin_ = "http://" + hostHeader_;
}

nlohmann::json PortalClient::get(const std::string& target, int step) {
    return exchange(false, target, {}, step);
}

nlohmann::json PortalClient::post(const std::string& target, const nlohmann::json& body, int step) {
    return exchange(true, target, body.dump(), step);
}

nlohmann::json PortalClient::exchange(bool post, const std::string& target, const std::string& body,
                                      int step) {
    http::response<http::string_body> response;
    try {
        boost::asio::io_context io;
        beast::tcp_stream stream(io);
        stream.expires_after(std::chrono::seconds(60));
        tcp::resolver resolver(io);
        stream.connect(resolver.resolve(host_, port_));
        http::request<http::string_body> request(post ? http::verb::post : http::verb::get, target,
                                                 11);
        request.set(http::field::host, hostHeader_);
        request.set(http::field::user_agent, "firmante/0.1.0");
        request.set(http::field::accept, "application/json");
        if (post) {
            // What a browser sends on a same-origin POST; the portal checks it.
            request.set(http::field::origin, origin_);
            request.set(http::field::content_type, "application/json");
            request.body() = body;
        }
        if (!session_.empty()) request.set("X-IDSE-Session", session_);
        request.prepare_payload();
        http::write(stream, request);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(kMaxAnswerBytes);
        http::read(stream, buffer, parser);
        response = parser.release();
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    } catch (const std::exception& e) {
        throw CliError(protocol::words::PortalError,
                       renewText("portalUnreachable", {origin_, e.what()}));
    }
    auto answer = nlohmann::json::parse(response.body(), nullptr, false);
    if (answer.is_discarded() || !answer.is_object())
        throw CliError(protocol::words::PortalError, renewText("portalGarbage", {origin_, target}));
    if (auto error = answer.find("error"); error != answer.end() && error->is_object()) {
        std::string code = error->value("code", std::string(protocol::words::Internal));
        std::string message = error->value("message", std::string());
        if (currentLanguage() == Language::English) message = error->value("messageEn", message);
        throw CliError(reasonFor(code),
                       renewText("portalRefused", {std::to_string(step), message, code}));
    }
    if (response.result_int() >= 400)
        throw CliError(protocol::words::PortalError, renewText("portalGarbage", {origin_, target}));
    return answer;
}

}  // namespace firmante::cli
