#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "firmante/pkcs11/Error.h"

namespace firmante::agent {

/// A failure that becomes a JSON-RPC error object. `reason` is a DESIGN §2 word; the message is
/// human text that never carries a PIN or document bytes.
class RpcError : public std::runtime_error {
  public:
    RpcError(std::string reason, const std::string& message, nlohmann::json extraData = {});

    /// The JSON-RPC code for a reason: -32700, -32600, -32601, -32602 or -32000.
    static int codeFor(const std::string& reason) noexcept;

    /// Converts anything thrown by the core: pkcs11::Error keeps its reason and tries hint,
    /// anything else is INTERNAL with a generic message (the detail goes to the log only).
    static RpcError from(const std::exception& e);

    const std::string& reason() const noexcept { return reason_; }
    int code() const noexcept { return codeFor(reason_); }
    const nlohmann::json& extraData() const noexcept { return extra_; }

    /// `{"code":…,"message":…,"data":{"reason":…,…}}`
    nlohmann::json toJson() const;

  private:
    std::string reason_;
    nlohmann::json extra_;
};

/// A complete JSON-RPC error response.
nlohmann::json errorResponse(const nlohmann::json& id, const RpcError& error);
/// A complete JSON-RPC success response.
nlohmann::json resultResponse(const nlohmann::json& id, nlohmann::json result);

}  // namespace firmante::agent
