#pragma once

#include <functional>
#include <memory>
#include <string>

#include "firmante/agent/Outcome.h"
#include "firmante/agent/TokenWorker.h"

namespace firmante::agent {

/// What a method will do once its params are valid and its origin is authorised (whether it
/// needs an origin at all is its row in protocol/methods.json).
struct MethodPlan {
    /// Starts the work; calls `done` exactly once, on any thread. Runs on the I/O thread, so it
    /// must only queue token work (TokenWorker::submit), never do it.
    std::function<void(Completion done)> execute;
};

/// The plan of a method whose whole work is one job on one token's worker.
inline MethodPlan planOnToken(std::shared_ptr<TokenWorker> worker, std::string requestId,
                              TokenWorker::Job job) {
    MethodPlan plan;
    plan.execute = [worker = std::move(worker), requestId = std::move(requestId),
                    job = std::move(job)](Completion done) {
        worker->submit(requestId, job, std::move(done));
    };
    return plan;
}

}  // namespace firmante::agent
