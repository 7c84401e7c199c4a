#pragma once

#include <nlohmann/json.hpp>

#include "firmante/agent/ConnectionContext.h"

namespace firmante::agent {

/// Checks a `transport.hello` request (conventions) and fills the context from it.
/// Throws RpcError: INVALID_REQUEST for anything else than a hello, INVALID_PARAMS for bad
/// members, VERSION_MISMATCH for another protocol version.
ConnectionContext acceptHello(const nlohmann::json& request, std::uint64_t connectionId);

/// The hello's result: agentVersion, protocolVersion.
nlohmann::json helloResult();

}  // namespace firmante::agent
