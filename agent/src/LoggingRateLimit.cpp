#include "LoggingRateLimit.h"

#include <cctype>

namespace firmante::agent {

namespace {

// More kinds than this in one window are counted together: the map stays small whatever the
// lines say.
constexpr std::size_t kMaxKinds = 256;

std::string kindKey(const spdlog::details::log_msg& msg) {
    std::string key(msg.logger_name.data(), msg.logger_name.size());
    key += '\x1f';
    key += static_cast<char>('0' + msg.level);
    key += '\x1f';
    // Connection numbers, sizes and counts differ between repeats of the same line.
    // A run of digits counts as one '#', so 9 and 10 are the same kind of line.
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
        if (!std::isdigit(static_cast<unsigned char>(c))) {
            key += c;
        } else if (key.back() != '#') {
            key += '#';
        }
    }
    return key;
}

}  // namespace

RateLimitedSink::RateLimitedSink(std::vector<spdlog::sink_ptr> sinks, std::size_t perWindow,
                                 std::chrono::milliseconds window)
    : sinks_(std::move(sinks)), perWindow_(perWindow), window_(window) {}

RateLimitedSink::~RateLimitedSink() {
    std::lock_guard lock(mutex_);
    summarise(spdlog::log_clock::now());
}

void RateLimitedSink::sink_it_(const spdlog::details::log_msg& msg) {
    if (msg.time - windowStart_ >= window_ || msg.time < windowStart_) {
        summarise(msg.time);
        windowStart_ = msg.time;
    }
    std::string key = kindKey(msg);
    if (kinds_.size() >= kMaxKinds && !kinds_.count(key)) key = "\x1f(many kinds)";
    auto [it, added] = kinds_.try_emplace(std::move(key));
    Kind& kind = it->second;
    if (added) {
        kind.logger.assign(msg.logger_name.data(), msg.logger_name.size());
        kind.level = msg.level;
        kind.sample.assign(msg.payload.data(), std::min<std::size_t>(msg.payload.size(), 120));
    }
    if (++kind.seen > perWindow_) {
        ++kind.suppressed;
        return;
    }
    forward(msg);
}

void RateLimitedSink::summarise(spdlog::log_clock::time_point now) {
    for (const auto& [key, kind] : kinds_) {
        if (kind.suppressed == 0) continue;
        const std::string text = std::to_string(kind.suppressed) +
                                 " more lines like this were not written: " + kind.sample;
        spdlog::details::log_msg summary(now, spdlog::source_loc{}, kind.logger, kind.level, text);
        forward(summary);
    }
    kinds_.clear();
}

void RateLimitedSink::forward(const spdlog::details::log_msg& msg) {
    for (auto& sink : sinks_) {
        if (sink->should_log(msg.level)) sink->log(msg);
    }
}

void RateLimitedSink::flush_() {
    for (auto& sink : sinks_) sink->flush();
}

void RateLimitedSink::set_pattern_(const std::string& pattern) {
    for (auto& sink : sinks_) sink->set_pattern(pattern);
}

void RateLimitedSink::set_formatter_(std::unique_ptr<spdlog::formatter> formatter) {
    for (auto& sink : sinks_) sink->set_formatter(formatter->clone());
}

}  // namespace firmante::agent
