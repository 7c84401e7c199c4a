#include "firmante/agent/MethodTable.h"

#include <stdexcept>

namespace firmante::agent {

void MethodTable::add(std::string_view name, Handler handler) {
    const auto* info = protocol::methods::find(name);
    if (info == nullptr)
        throw std::logic_error("method " + std::string(name) + " is not in protocol/methods.json");
    if (!methods_.emplace(std::string(name), Method{info, std::move(handler)}).second)
        throw std::logic_error("method " + std::string(name) + " is registered twice");
}

const MethodTable::Method* MethodTable::find(std::string_view name) const noexcept {
    const auto it = methods_.find(name);
    return it == methods_.end() ? nullptr : &it->second;
}

void MethodTable::requireComplete() const {
    for (const auto& row : protocol::methods::kTable) {
        if (!methods_.contains(row.name))
            throw std::logic_error("method " + std::string(row.name) + " has no handler");
    }
}

}  // namespace firmante::agent
