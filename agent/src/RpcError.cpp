#include "firmante/agent/RpcError.h"

#include <map>

#include "firmante/agent/Logging.h"

namespace firmante::agent {

namespace {

// es-MX text per reason, for clients that show the error to a person as it comes.
const std::map<std::string, std::string, std::less<>>& spanishMessages() {
    static const std::map<std::string, std::string, std::less<>> messages = {
        {"PARSE_ERROR", "La solicitud no es JSON válido."},
        {"INVALID_REQUEST", "La solicitud no es válida."},
        {"METHOD_NOT_FOUND", "El método solicitado no existe."},
        {"INVALID_PARAMS", "Los parámetros de la solicitud no son válidos."},
        {"TOO_LARGE", "La solicitud excede el tamaño permitido."},
        {"ORIGIN_NOT_ALLOWED", "Este sitio no tiene permiso para usar sus certificados."},
        {"USER_CANCELLED", "La operación fue cancelada."},
        {"PIN_INCORRECT", "El PIN es incorrecto."},
        {"PIN_LOCKED", "El PIN está bloqueado."},
        {"TOKEN_NOT_PRESENT", "No se encontró el dispositivo (token)."},
        {"TOKEN_REMOVED", "El dispositivo (token) fue retirado."},
        {"KEY_NOT_FOUND", "No se encontró la llave privada."},
        {"CERTIFICATE_NOT_FOUND", "No se encontró el certificado."},
        {"CERTIFICATE_EXPIRED", "El certificado no está vigente."},
        {"CERTIFICATE_MISMATCH", "El certificado no corresponde a la llave."},
        {"CERTIFICATE_UNTRUSTED", "El certificado no proviene de la autoridad esperada."},
        {"LETTER_MISMATCH", "La carta no corresponde a la renovación."},
        {"RENEWAL_STATE", "La renovación no está en el paso esperado."},
        {"BUSY", "El dispositivo está ocupado; intente de nuevo."},
        {"TIMEOUT", "La operación tardó demasiado."},
        {"INTERNAL", "Error interno del agente."},
        {"VERSION_MISMATCH", "Versión de protocolo no compatible."},
        {"MODULE_NOT_FOUND", "No se encontró el módulo PKCS#11."},
        {"KEY_TYPE_UNSUPPORTED", "Su dispositivo (token) no ofrece ese tipo de llave."},
        {"KEY_PROVENANCE_UNCONFIRMED",
         "Su dispositivo no confirma que la llave nueva se generó en él y nunca salió de él."},
    };
    return messages;
}

}  // namespace

RpcError::RpcError(std::string reason, const std::string& message, nlohmann::json extraData)
    : std::runtime_error(message), reason_(std::move(reason)), extra_(std::move(extraData)) {}

int RpcError::codeFor(const std::string& reason) noexcept {
    if (reason == "PARSE_ERROR") return -32700;
    if (reason == "INVALID_REQUEST") return -32600;
    if (reason == "METHOD_NOT_FOUND") return -32601;
    if (reason == "INVALID_PARAMS") return -32602;
    return -32000;
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
    return RpcError("INTERNAL", "internal error / error interno");
}

nlohmann::json RpcError::toJson() const {
    nlohmann::json data = extra_.is_object() ? extra_ : nlohmann::json::object();
    data["reason"] = reason_;
    const auto& es = spanishMessages();
    if (auto it = es.find(reason_); it != es.end()) data["messageEs"] = it->second;
    return {{"code", code()}, {"message", what()}, {"data", std::move(data)}};
}

nlohmann::json errorResponse(const nlohmann::json& id, const RpcError& error) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", error.toJson()}};
}

nlohmann::json resultResponse(const nlohmann::json& id, nlohmann::json result) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

}  // namespace firmante::agent
