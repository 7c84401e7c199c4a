#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace firmante::agent {

/// Sets up one file sink ($XDG_STATE_HOME/firmante/agent.log) and stderr, shared by a named
/// logger per component ("agent", "ipc", "rpc", "token", "prompt", "policy"). Every line carries
/// the request id of the thread's current RequestScope ("-" outside a request).
void setupLogging(const std::filesystem::path& logFile);

/// Registers the "renewal" logger the renewal library looks up and makes "agent" spdlog's
/// default, both on our sinks. Call after setupLogging.
void installDefaultLoggers();

/// The component's logger (created on first use, sharing the sinks). Never throws.
std::shared_ptr<spdlog::logger> logger(const std::string& component);

/// `text` made safe for one log line: control characters become '?', cut at `max` bytes, so a
/// request id or method name chosen by a page cannot forge log lines.
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
