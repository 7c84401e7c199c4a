#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/base_sink.h>

namespace firmante::agent {

/// Passes log lines on to its sinks, except that one kind of line (same component, level and
/// text once digits are ignored) is written at most `perWindow` times per `window`; the rest
/// are counted and summed up in one line when the next window starts. A client that repeats a
/// mistake a thousand times, or an accept() that keeps failing, cannot fill the disk.
class RateLimitedSink : public spdlog::sinks::base_sink<std::mutex> {
  public:
    RateLimitedSink(std::vector<spdlog::sink_ptr> sinks, std::size_t perWindow,
                    std::chrono::milliseconds window);
    /// Writes what is still counted, so the last window's summary is not lost at exit.
    ~RateLimitedSink() override;

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override;
    void set_pattern_(const std::string& pattern) override;
    void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override;

  private:
    struct Kind {
        std::string logger;
        spdlog::level::level_enum level;
        std::string sample;
        std::size_t seen = 0;
        std::size_t suppressed = 0;
    };

    void forward(const spdlog::details::log_msg& msg);
    void summarise(spdlog::log_clock::time_point now);

    std::vector<spdlog::sink_ptr> sinks_;
    std::size_t perWindow_;
    std::chrono::milliseconds window_;
    spdlog::log_clock::time_point windowStart_{};
    std::map<std::string, Kind> kinds_;
};

}  // namespace firmante::agent
