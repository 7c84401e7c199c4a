#pragma once

#include <chrono>
#include <thread>

namespace firmante::testing {

/// Polls `ready` until it holds or `limit` passes, and asks once more at the deadline: a test
/// waits on what a tool observes, with a deadline, never on a fixed sleep.
template <typename F>
bool eventually(F&& ready, std::chrono::milliseconds limit = std::chrono::seconds(20),
                std::chrono::milliseconds step = std::chrono::milliseconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (ready()) return true;
        std::this_thread::sleep_for(step);
    }
    return ready();
}

}  // namespace firmante::testing
