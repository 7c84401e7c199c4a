#pragma once

#include <functional>

#include "firmante/agent/Outcome.h"

namespace firmante::agent {

/// What a method will do once its params are valid and its origin is authorised.
struct MethodPlan {
    /// False only for methods any origin may call (agent.info).
    bool needsOrigin = true;
    /// Starts the work; calls `done` exactly once, on any thread. Runs on the I/O thread, so it
    /// must only queue token work (TokenWorker::submit), never do it.
    std::function<void(Completion done)> execute;
};

}  // namespace firmante::agent
