#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace firmante::cli {

/// The reference portal's JSON API (docs/portal-integration.md) over plain HTTP/1.1 on loopback,
/// one connection per request (Boost.Beast, synchronous). It sends `Host` and `Origin` so the
/// portal's origin is exactly `origin()`, the one the token signs for.
class PortalClient {
  public:
    /// `url` is http://127.0.0.1:PORT, http://localhost:PORT or http://[::1]:PORT (a trailing
    /// slash is ignored). Throws CliError(INVALID_PARAMS) for anything else: the CLI attests this
    /// origin to the agent, so it must be a portal on this machine.
    explicit PortalClient(const std::string& url);

    /// "http://" + the Host header sent.
    const std::string& origin() const noexcept { return origin_; }

    /// The session token (X-IDSE-Session) sent from now on; empty: none.
    void setSession(std::string session) { session_ = std::move(session); }

    /// GET/POST a JSON endpoint. A refusal ({"error":{code,message}}) throws CliError with the
    /// portal's Spanish message (English with LANG=en), the portal's code and `step`; the reason
    /// word maps the portal's code (LETTER_MISMATCH, CERTIFICATE_MISMATCH, SIGNATURE_INVALID,
    /// RENEWAL_STATE) or is PORTAL_ERROR. An unreachable portal is PORTAL_ERROR too.
    nlohmann::json get(const std::string& target, int step);
    nlohmann::json post(const std::string& target, const nlohmann::json& body, int step);

  private:
    nlohmann::json exchange(bool post, const std::string& target, const std::string& body,
                            int step);

    std::string host_;  // for the connection
    std::string port_;
    std::string hostHeader_;
    std::string origin_;
    std::string session_;
};

}  // namespace firmante::cli
