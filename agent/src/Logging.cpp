#include "firmante/agent/Logging.h"

#include <mutex>
#include <vector>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

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

void setupLogging(const std::filesystem::path& logFile) {
    std::lock_guard lock(sinksMutex);
    sinks.clear();
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    try {
        std::filesystem::create_directories(logFile.parent_path());
        sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(logFile.string()));
    } catch (const std::exception& e) {
        // Logging must never stop the agent: stderr alone is enough to run.
        sinks.front()->log(spdlog::details::log_msg(
            "agent", spdlog::level::warn, std::string("cannot open the log file: ") + e.what()));
    }
    for (auto& sink : sinks) sink->set_formatter(makeFormatter());
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
    std::string out(text.substr(0, max));
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    }
    if (text.size() > max) out += "…";
    return out;
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
