#pragma once

#include <chrono>
#include <string>

namespace firmante::renewal {

/// RFC 3339 UTC, seconds precision: "2026-11-26T15:08:01Z".
std::string formatTimestamp(std::chrono::system_clock::time_point when);
std::string nowTimestamp();
/// "2026-11-26" (local date), for key labels a person reads.
std::string todayDate();

}  // namespace firmante::renewal
