#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace firmante::agent {

/// How much the log may hold (docs/security.md, "Logs").
struct LogFileLimits {
    std::size_t maxBytes = 5u * 1024u * 1024u;  // agent.log is rotated past this size…
    std::size_t files = 3;                      // …into agent.1.log … agent.3.log
    std::size_t repeatsPerWindow = 20;          // lines of one kind written per window
    std::chrono::milliseconds window{10'000};
};

/// Sets up one rotating file sink ($XDG_STATE_HOME/firmante/agent.log) and stderr, behind a
/// rate limit for repeated lines, shared by a named logger per component ("agent", "ipc",
/// "rpc", "token", "prompt", "policy"). Every line carries the request id of the thread's
/// current RequestScope ("-" outside a request). The file is close-on-exec.
void setupLogging(const std::filesystem::path& logFile, LogFileLimits limits = {});

/// Registers the "renewal" logger the renewal library looks up and makes "agent" spdlog's
/// default, both on our sinks. Call after setupLogging.
void installDefaultLoggers();

/// The component's logger (created on first use, sharing the sinks). Never throws.
std::shared_ptr<spdlog::logger> logger(const std::string& component);

/// `text` made safe for one log line with prompt::safeText (controls, separators, bidi and
/// zero-width characters escaped as hex pairs, cut at `max` characters), so a request id or
/// method name chosen by a page cannot forge log lines.
std::string printable(std::string_view text, std::size_t max = 200);

/// Marks the current thread as working for one request, for the log lines it writes.
class RequestScope {
  public:
    explicit RequestScope(std::string requestId);
    ~RequestScope();
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;

    static const std::string& current() noexcept;

  private:
    std::string previous_;
};

}  // namespace firmante::agent
