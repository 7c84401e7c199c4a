#pragma once

#include <string>

namespace firmante::agent {

/// One request as a method sees it once the envelope is checked.
struct RequestContext {
    std::string origin;     // as the transport attests it; "local" for the CLI
    std::string requestId;  // "<connection>:<id>", on every log line about it
    /// Our own extension's page (its popup) reading status through our relay: the dispatcher's
    /// decision (ExtensionPageRule.h), not a guess from the origin's scheme.
    bool ownExtensionPage = false;
};

}  // namespace firmante::agent
