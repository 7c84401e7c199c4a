#pragma once

#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "firmante/agent/RpcError.h"

namespace firmante::agent {

/// How asynchronous work hands its answer back: a result, or an error.
struct Outcome {
    std::optional<RpcError> error;
    nlohmann::json result;

    static Outcome success(nlohmann::json value) { return Outcome{std::nullopt, std::move(value)}; }
    static Outcome failure(RpcError e) { return Outcome{std::move(e), nullptr}; }
};

/// Called exactly once with the outcome, on whichever thread finished the work.
using Completion = std::function<void(Outcome)>;

}  // namespace firmante::agent
