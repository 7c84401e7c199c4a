#include "firmante/agent/ParamReader.h"

#include <algorithm>

#include "firmante/agent/Base64.h"
#include "firmante/agent/RpcError.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::agent {

namespace {

[[noreturn]] void invalid(std::string_view name, const std::string& what) {
    throw RpcError(protocol::words::InvalidParams, "params." + std::string(name) + " " + what);
}

}  // namespace

ParamReader::ParamReader(const nlohmann::json& params) : object_(nullptr) {
    if (params.is_null()) return;
    if (!params.is_object())
        throw RpcError(protocol::words::InvalidParams, "params must be an object");
    object_ = &params;
}

const nlohmann::json* ParamReader::find(std::string_view name) const {
    if (!object_) return nullptr;
    auto it = object_->find(name);
    return it == object_->end() ? nullptr : &*it;
}

void ParamReader::allowOnly(std::initializer_list<std::string_view> allowed) const {
    if (!object_) return;
    for (const auto& [key, value] : object_->items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            // The member name may be anything a page sent: cut it for the message.
            invalid(key.substr(0, 64), "is not a parameter of this method");
        }
    }
}

bool ParamReader::has(std::string_view name) const {
    return find(name) != nullptr;
}

const nlohmann::json& ParamReader::raw(std::string_view name) const {
    const auto* value = find(name);
    if (!value) invalid(name, "is required");
    return *value;
}

std::string ParamReader::string(std::string_view name, std::size_t maxBytes,
                                std::size_t minBytes) const {
    const auto& value = raw(name);
    if (!value.is_string()) invalid(name, "must be a string");
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > maxBytes) {
        throw RpcError(protocol::words::TooLarge, "params." + std::string(name) +
                                                      " is longer than " +
                                                      std::to_string(maxBytes) + " bytes");
    }
    if (text.size() < minBytes) invalid(name, "is too short");
    return text;
}

std::optional<std::string> ParamReader::optionalString(std::string_view name,
                                                       std::size_t maxBytes) const {
    const auto* value = find(name);
    if (!value || value->is_null()) return std::nullopt;
    return string(name, maxBytes);
}

bool ParamReader::boolean(std::string_view name) const {
    const auto& value = raw(name);
    if (!value.is_boolean()) invalid(name, "must be true or false");
    return value.get<bool>();
}

pkcs11::Uri ParamReader::uri(std::string_view name) const {
    const std::string text = string(name, 4096);
    if (!pkcs11::isPkcs11Uri(text)) invalid(name, "must be a pkcs11: URI");
    try {
        return pkcs11::Uri::parse(text);
    } catch (const pkcs11::Error& e) {
        invalid(name, std::string("is not a valid PKCS#11 URI: ") + e.what());
    }
}

std::vector<unsigned char> ParamReader::base64(std::string_view name, std::size_t minBytes,
                                               std::size_t maxBytes) const {
    const auto& value = raw(name);
    if (!value.is_string()) invalid(name, "must be a base64 string");
    const auto& text = value.get_ref<const std::string&>();
    if (base64DecodedSize(text) > maxBytes) {
        throw RpcError(protocol::words::TooLarge, "params." + std::string(name) +
                                                      " is larger than " +
                                                      std::to_string(maxBytes) + " bytes");
    }
    auto bytes = base64Decode(text);
    if (!bytes) invalid(name, "is not standard base64 with padding");
    if (bytes->size() < minBytes) {
        invalid(name, "must hold at least " + std::to_string(minBytes) + " bytes");
    }
    return std::move(*bytes);
}

std::string ParamReader::fileName(std::string_view name) const {
    std::string text = string(name, 255);
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7F || c == '/' || c == '\\') {
            invalid(name, "must be a plain file name (no control characters or folders)");
        }
    }
    return text;
}

std::string ParamReader::identifier(std::string_view name) const {
    std::string text = string(name, 128);
    for (unsigned char c : text) {
        if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) {
            invalid(name, "may only hold letters, digits, '.', '_' and '-'");
        }
    }
    return text;
}

}  // namespace firmante::agent
