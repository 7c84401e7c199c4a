#pragma once

#include <array>
#include <string>
#include <string_view>

#include "firmante/agent/ConnectionContext.h"
#include "firmante/agent/RpcError.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

/// Issue 14: the extension's own pages (its popup) are not a site. Over native messaging the
/// browser starts the relay only for our extension (the host manifest's allowed_origins /
/// allowed_extensions), so a `chrome-extension://<our id>` origin, or any `moz-extension://`
/// origin there (Firefox gives each install a random UUID, nothing to pre-allow), is ours: it
/// may read status without a consent question. No extension page may ever sign or change a
/// token, on any transport.
///
/// Returns true when the call is our extension reading status (no allowlist, no question),
/// false when the usual origin rules apply. Throws RpcError(ORIGIN_NOT_ALLOWED) when an
/// extension page asks for anything but a read.
inline bool extensionPageMayReadWithoutConsent(const ConnectionContext& connection,
                                               std::string_view origin, std::string_view method) {
    constexpr std::string_view kChromium = "chrome-extension://";
    constexpr std::string_view kFirefox = "moz-extension://";
    const bool chromiumPage = origin.substr(0, kChromium.size()) == kChromium;
    const bool firefoxPage = origin.substr(0, kFirefox.size()) == kFirefox;
    if (!chromiumPage && !firefoxPage) return false;

    constexpr std::array<std::string_view, 4> kStatusReads{"agent.info", "tokens.list",
                                                           "certificates.list", "renewal.status"};
    bool read = false;
    for (const auto m : kStatusReads) read = read || m == method;
    if (!read) {
        throw RpcError(protocol::words::OriginNotAllowed,
                       "an extension's own page may only read status, not call " +
                           std::string(method.substr(0, 64)));
    }
    if (connection.kind != ConnectionContext::Kind::NativeMessaging) return false;
    if (firefoxPage) return connection.browser == "firefox";
    const auto id = origin.substr(kChromium.size());
    return connection.browser != "firefox" &&
           (connection.extensionId.empty() || id == connection.extensionId);
}

}  // namespace firmante::agent
