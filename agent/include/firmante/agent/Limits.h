#pragma once

#include <chrono>
#include <cstddef>

namespace firmante::agent {

/// Input and queue limits (DESIGN §3 rules 6 and 7); overridable in the config's "limits".
struct Limits {
    std::size_t maxFrameBytes = 16u * 1024u * 1024u;
    std::size_t maxJsonDepth = 32;
    std::size_t maxDocumentBytes = 10u * 1024u * 1024u;
    // documents.sign_batch: documents per request, and their decoded bytes together (checked
    // from the base64 lengths before anything is decoded).
    std::size_t maxBatchDocuments = 100;
    std::size_t maxBatchBytes = 10u * 1024u * 1024u;
    std::size_t queueLength = 8;              // per token, waiting requests
    std::chrono::seconds queueTimeout{120};   // a request waiting longer gets TIMEOUT
    std::chrono::seconds promptTimeout{300};  // one PIN or consent question
    std::size_t maxInFlightPerConnection = 16;
    // Unix socket: clients at once (the CLI, firmante-nmhost); one more is told BUSY and closed.
    std::size_t maxUnixConnections = 64;
    // A Unix client that says nothing, with no request of its own pending, is closed after this
    // (the browser's relay, which waits for notifications, is exempt once it said hello).
    std::chrono::seconds unixIdleTimeout{300};
};

}  // namespace firmante::agent
