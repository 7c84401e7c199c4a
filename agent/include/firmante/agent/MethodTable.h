#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "firmante/agent/MethodPlan.h"
#include "firmante/agent/RequestContext.h"
#include "firmante/protocol/MethodTable.h"

namespace firmante::agent {

/// The agent's JSON-RPC methods (issue 10 §2): each one is a row of protocol/methods.json (its
/// descriptor: needs an origin, prompts, allowed from the extension's own pages, what the tray
/// records) and a handler that parses its params. Adding a method: a row in methods.json, then
/// `add` its handler where its group registers (docs/architecture.md).
class MethodTable {
  public:
    /// Validates params (throwing RpcError) and returns what to run; runs on the I/O thread.
    using Handler = std::function<MethodPlan(const RequestContext&, const nlohmann::json& params)>;

    struct Method {
        const protocol::MethodInfo* info = nullptr;
        Handler handler;
    };

    /// Registers the handler of a method of methods.json. Throws std::logic_error for a name the
    /// table does not have or one registered twice (a programming error, found at start-up).
    void add(std::string_view name, Handler handler);

    /// The method, or nullptr for an unknown name.
    const Method* find(std::string_view name) const noexcept;

    /// Throws std::logic_error naming a method of methods.json that has no handler.
    void requireComplete() const;

  private:
    std::map<std::string, Method, std::less<>> methods_;
};

}  // namespace firmante::agent
