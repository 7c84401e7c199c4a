#pragma once

#include <string>
#include <string_view>

#include "firmante/agent/ConnectionContext.h"
#include "firmante/agent/RpcError.h"
#include "firmante/protocol/MethodTable.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

inline constexpr std::string_view kChromiumPagePrefix = "chrome-extension://";
inline constexpr std::string_view kFirefoxPagePrefix = "moz-extension://";

/// Whether `origin` is a browser extension's own page (ours or not: see below).
inline bool isExtensionPageOrigin(std::string_view origin) {
    return origin.starts_with(kChromiumPagePrefix) || origin.starts_with(kFirefoxPagePrefix);
}

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
                                               std::string_view origin,
                                               const protocol::MethodInfo& method) {
    if (!isExtensionPageOrigin(origin)) return false;
    // The reads an extension page may make are the rows of protocol/methods.json marked
    // extensionPages (the popup's list in the extension is generated from the same rows).
    if (!method.extensionPages) {
        throw RpcError(
            protocol::words::OriginNotAllowed,
            "an extension's own page may only read status, not call " + std::string(method.name));
    }
    if (!connection.ownExtensionRelay) return false;
    const bool firefoxPage = origin.starts_with(kFirefoxPagePrefix);
    if (firefoxPage) return connection.browser == "firefox";
    const auto id = origin.substr(kChromiumPagePrefix.size());
    return connection.browser != "firefox" &&
           (connection.extensionId.empty() || id == connection.extensionId);
}

}  // namespace firmante::agent
