#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "firmante/nm/FrameDecoder.hpp"

namespace firmante::nmhost {

/// Moves frames between the browser (stdin/stdout) and the agent socket with one poll() loop.
///
/// Browser → agent: frames up to `browserLimit` are forwarded byte for byte; a larger declared
/// length is answered with a TOO_LARGE error (`id: null`) and ends the relay, because the
/// stream cannot be resynchronised without reading the body. Agent → browser: frames are
/// forwarded unchanged unless above the browser's 1 MiB limit, in which case a TOO_LARGE error
/// carrying the response's id replaces them. The agent's reply to the hello is consumed here.
class Relay {
  public:
    /// Exit status of `run`: 0 when the browser closed stdin, 1 on any error.
    enum class Outcome { BrowserClosed = 0, Failed = 1 };

    Relay(int browserIn, int browserOut, int agentFd, std::size_t browserLimit,
          std::chrono::milliseconds helloTimeout);

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

    int browserIn_;
    int browserOut_;
    int agentFd_;
    std::chrono::milliseconds helloTimeout_;
    nm::FrameDecoder browserDecoder_;
    nm::FrameDecoder agentDecoder_;
    bool helloPending_ = true;
};

}  // namespace firmante::nmhost
