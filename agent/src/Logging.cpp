#include "firmante/agent/Logging.h"

#include <mutex>
#include <vector>

#include <fcntl.h>
#include <spdlog/pattern_formatter.h>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "LoggingRateLimit.h"
#include "firmante/prompt/SafeText.h"

namespace firmante::agent {

namespace {

thread_local std::string currentRequest = "-";

class RequestIdFlag : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg&, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        const auto& id = RequestScope::current();
        dest.append(id.data(), id.data() + id.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<RequestIdFlag>();
    }
};

std::mutex sinksMutex;
std::vector<spdlog::sink_ptr> sinks;

std::unique_ptr<spdlog::formatter> makeFormatter() {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<RequestIdFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e %l [%n] [req %*] %v");
    return formatter;
}

}  // namespace

void setupLogging(const std::filesystem::path& logFile, LogFileLimits limits) {
    std::lock_guard lock(sinksMutex);
    // Loggers made before keep the sinks they were made with: start over.
    spdlog::drop_all();
    sinks.clear();
    std::vector<spdlog::sink_ptr> outputs{std::make_shared<spdlog::sinks::stderr_sink_mt>()};
    try {
        std::filesystem::create_directories(logFile.parent_path());
        spdlog::file_event_handlers handlers;
        // Each file the sink opens (again after every rotation) stays out of child processes.
        handlers.after_open = [](const spdlog::filename_t&, std::FILE* file) {
            ::fcntl(::fileno(file), F_SETFD, FD_CLOEXEC);
        };
        outputs.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            logFile.string(), limits.maxBytes, limits.files, false, handlers));
    } catch (const std::exception& e) {
        // Logging must never stop the agent: stderr alone is enough to run.
        outputs.front()->log(spdlog::details::log_msg(
            "agent", spdlog::level::warn, std::string("cannot open the log file: ") + e.what()));
    }
    for (auto& sink : outputs) sink->set_formatter(makeFormatter());
    sinks.push_back(std::make_shared<RateLimitedSink>(std::move(outputs), limits.repeatsPerWindow,
                                                      limits.window));
}

void installDefaultLoggers() {
    // The renewal library logs through spdlog::get("renewal"), falling back to the default
    // logger: both must exist and write to our sinks.
    logger("renewal");
    spdlog::set_default_logger(logger("agent"));
}

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
    if (auto existing = spdlog::get(component)) return existing;
    std::lock_guard lock(sinksMutex);
    if (auto existing = spdlog::get(component)) return existing;
    if (sinks.empty()) {
        sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
        sinks.back()->set_formatter(makeFormatter());
    }
    auto created = std::make_shared<spdlog::logger>(component, sinks.begin(), sinks.end());
    created->flush_on(spdlog::level::info);
    try {
        spdlog::register_logger(created);
    } catch (const spdlog::spdlog_ex&) {
        if (auto existing = spdlog::get(component)) return existing;
    }
    return created;
}

std::string printable(std::string_view text, std::size_t max) {
    // The same sanitiser as the prompts: a log line is read by a person too.
    return prompt::safeText(text, max);
}

RequestScope::RequestScope(std::string requestId) : previous_(std::move(currentRequest)) {
    currentRequest = std::move(requestId);
}

RequestScope::~RequestScope() {
    currentRequest = std::move(previous_);
}

const std::string& RequestScope::current() noexcept {
    return currentRequest;
}

}  // namespace firmante::agent
