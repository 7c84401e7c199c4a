#include "firmante/agent/RpcError.h"

#include "firmante/agent/Logging.h"
#include "firmante/protocol/Reasons.h"

namespace firmante::agent {

RpcError::RpcError(std::string reason, const std::string& message, nlohmann::json extraData)
    : std::runtime_error(message), reason_(std::move(reason)), extra_(std::move(extraData)) {}

int RpcError::codeFor(const std::string& reason) noexcept {
    const auto* row = protocol::findReason(reason);
    return row ? row->rpcCode : -32000;
}

RpcError RpcError::from(const std::exception& e) {
    if (const auto* rpc = dynamic_cast<const RpcError*>(&e)) return *rpc;
    if (const auto* p11 = dynamic_cast<const pkcs11::Error*>(&e)) {
        nlohmann::json extra = nlohmann::json::object();
        if (p11->triesLeft()) extra["triesLeft"] = *p11->triesLeft();
        if (p11->reason() == pkcs11::Reason::PinIncorrect ||
            p11->reason() == pkcs11::Reason::PinLocked) {
            extra["pinCountLow"] = p11->pinCountLow();
            extra["pinFinalTry"] = p11->triesLeft() == 1;
        }
        if (p11->reason() == pkcs11::Reason::Internal) {
            logger("rpc")->error("internal error: {}", p11->what());
        }
        // NotLoggedIn and MechanismInvalid are library words; on the wire they stay stable.
        return RpcError(std::string(p11->reasonWord()), p11->what(), std::move(extra));
    }
    logger("rpc")->error("unexpected exception: {}", e.what());
    return RpcError(protocol::words::Internal, "internal error / error interno");
}

nlohmann::json RpcError::toJson() const {
    nlohmann::json data = extra_.is_object() ? extra_ : nlohmann::json::object();
    data["reason"] = reason_;
    // The table's sentences and retry flag (protocol/reasons.json), so a page can show the
    // error to a person and offer a retry without a table of its own.
    if (const auto* row = protocol::findReason(reason_)) {
        data["messageEs"] = row->es;
        data["messageEn"] = row->en;
        data["retriable"] = row->retriable;
    }
    return {{"code", code()}, {"message", what()}, {"data", std::move(data)}};
}

nlohmann::json errorResponse(const nlohmann::json& id, const RpcError& error) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", error.toJson()}};
}

nlohmann::json resultResponse(const nlohmann::json& id, nlohmann::json result) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

}  // namespace firmante::agent
