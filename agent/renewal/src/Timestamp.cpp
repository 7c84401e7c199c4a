#include "Timestamp.h"

#include <ctime>

namespace firmante::renewal {

namespace {
std::string format(std::chrono::system_clock::time_point when, const char* pattern, bool utc) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    if (utc)
        gmtime_r(&t, &tm);
    else
        localtime_r(&t, &tm);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, pattern, &tm);
    return std::string(buf, n);
}
}  // namespace

std::string formatTimestamp(std::chrono::system_clock::time_point when) {
    return format(when, "%Y-%m-%dT%H:%M:%SZ", true);
}

std::string nowTimestamp() {
    return formatTimestamp(std::chrono::system_clock::now());
}

std::string todayDate() {
    return format(std::chrono::system_clock::now(), "%Y-%m-%d", false);
}

}  // namespace firmante::renewal
