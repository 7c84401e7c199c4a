#pragma once

#include <memory>
#include <string>
#include <vector>

#include "firmante/agent/TokenWorker.h"
#include "firmante/pkcs11/Types.h"
#include "firmante/pkcs11/Uri.h"

namespace firmante::agent {

/// What the dispatcher and the method handlers need of the tokens present: a list, and the worker
/// that runs jobs on one (issue 10 §2). TokenRegistry is the real one; tests give the dispatcher
/// their own, in-process, without a module.
class TokenDirectory {
  public:
    virtual ~TokenDirectory() = default;

    /// The tokens seen by the last scan (never touches the token).
    virtual std::vector<pkcs11::TokenInfo> snapshot() const = 0;
    /// The worker for the token a URI names (token attributes; none = the only token).
    /// Throws RpcError TOKEN_NOT_PRESENT, or INVALID_PARAMS when several match.
    virtual std::shared_ptr<TokenWorker> workerFor(const pkcs11::Uri& uri) const = 0;
    /// The worker for a token label or token URI.
    virtual std::shared_ptr<TokenWorker> workerForSelector(const std::string& labelOrUri) const = 0;
    virtual std::vector<std::shared_ptr<TokenWorker>> workers() const = 0;
    /// The PKCS#11 module's path, for agent.info.
    virtual std::string modulePath() const = 0;
};

}  // namespace firmante::agent
