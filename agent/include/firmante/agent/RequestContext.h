#pragma once

#include <string>

namespace firmante::agent {

/// One request as a method sees it once the envelope is checked.
struct RequestContext {
    std::string origin;     // as the transport attests it; "local" for the CLI
    std::string requestId;  // "<connection>:<id>", on every log line about it
};

}  // namespace firmante::agent
