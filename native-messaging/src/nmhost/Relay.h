#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

#include "firmante/nm/FrameDecoder.h"

namespace firmante::nmhost {

/// Moves frames between the browser (stdin/stdout) and the agent socket with one poll() loop.
///
/// Browser → agent: frames up to `browserLimit` are forwarded byte for byte; a larger declared
/// length is answered with a TOO_LARGE error (`id: null`) and ends the relay, because the
/// stream cannot be resynchronised without reading the body. Agent → browser: frames are
/// forwarded unchanged unless above the browser's 1 MiB limit, in which case a TOO_LARGE error
/// carrying the response's id replaces them. The agent's reply to the hello is consumed here.
///
/// When the agent goes away (its connection ends, or its process exits while a child it started
/// still holds the connection open), every request it had not answered is answered here with
/// AGENT_NOT_RUNNING and its own id, so no page waits for a reply that cannot come.
class Relay {
  public:
    /// Exit status of `run`: 0 when the browser closed stdin, 1 on any error.
    enum class Outcome { BrowserClosed = 0, Failed = 1 };

    /// `agentProcess`: a descriptor readable once the agent process exits (a pidfd), or -1.
    Relay(int browserIn, int browserOut, int agentFd, std::size_t browserLimit,
          std::chrono::milliseconds helloTimeout, int agentProcess = -1);

    /// Sends `helloJson` to the agent, waits for its reply, then relays until either side ends.
    /// Errors are written to the browser as JSON-RPC errors before returning `Failed`.
    Outcome run(std::string_view helloJson);

  private:
    bool readAgent();
    bool readBrowser(bool& browserClosed);
    bool handleAgentFrames();
    bool handleHelloReply(const std::string& body);
    void sendToBrowser(const std::string& body);
    void failToBrowser(std::string_view reason, std::string_view message);
    void answerPendingAgentGone();
    bool agentReadable() const;

    // Requests forwarded and not yet answered, by their id normalised (JSON text). Bounded:
    // the extension keeps far fewer in flight, and an untracked id only loses its early answer.
    static constexpr std::size_t kMaxTrackedRequests = 4096;

    int browserIn_;
    int browserOut_;
    int agentFd_;
    int agentProcess_;
    std::unordered_set<std::string> pending_;
    std::chrono::milliseconds helloTimeout_;
    nm::FrameDecoder browserDecoder_;
    nm::FrameDecoder agentDecoder_;
    bool helloPending_ = true;
};

}  // namespace firmante::nmhost
