#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "firmante/agent/TokenWorker.h"
#include "firmante/pkcs11/Types.h"
#include "firmante/pkcs11/Uri.h"

namespace firmante::agent {

/// What the dispatcher and the method handlers need of the tokens present: a list, and the worker
/// that runs jobs on one (issue 10 §2). TokenRegistry is the agent's; the CLI's direct path has one
/// of its own over the one token it opened (cli/src/RenewDirectBackend.cpp). The lookups by URI or
/// label are the same for both, over workers().
class TokenDirectory {
  public:
    virtual ~TokenDirectory() = default;

    /// The tokens seen by the last scan (never touches the token).
    virtual std::vector<pkcs11::TokenInfo> snapshot() const = 0;
    /// The workers of the tokens present, by slot.
    virtual std::vector<std::shared_ptr<TokenWorker>> workers() const = 0;
    /// The worker for the token a URI names (token attributes; none = the only token).
    /// Throws RpcError TOKEN_NOT_PRESENT, or INVALID_PARAMS when several match.
    std::shared_ptr<TokenWorker> workerFor(const pkcs11::Uri& uri) const;
    /// The worker for a token label or token URI.
    std::shared_ptr<TokenWorker> workerForSelector(const std::string& labelOrUri) const;
    /// The PKCS#11 module's path, for agent.info.
    virtual std::string modulePath() const = 0;
    /// Called before tokens.list answers: a chance to look for tokens the module has not shown
    /// yet (TokenRegistry). Calls `then` exactly once, possibly right away.
    virtual void refresh(std::function<void()> then) { then(); }
};

}  // namespace firmante::agent
