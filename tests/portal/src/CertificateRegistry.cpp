#include "firmante/portal/CertificateRegistry.h"

#include "firmante/portal/Pki.h"

#include <fstream>
#include <stdexcept>

namespace firmante::portal {

CertificateRegistry::CertificateRegistry(std::filesystem::path stateDir)
    : path_(std::move(stateDir) / "state.json"), state_({{"revoked", nlohmann::json::object()}}) {
    std::ifstream in(path_);
    if (!in) return;
    try {
        auto loaded = nlohmann::json::parse(in);
        if (loaded.is_object() && loaded.contains("revoked") && loaded["revoked"].is_object())
            state_ = std::move(loaded);
    } catch (const nlohmann::json::exception&) {
        // A damaged state file must not stop the portal; it only loses revocations.
    }
}

bool CertificateRegistry::isRevoked(const std::string& serialHex) const {
    return state_["revoked"].contains(serialHex);
}

void CertificateRegistry::revoke(const std::string& serialHex, const std::string& replacedBy) {
    state_["revoked"][serialHex] = {{"replacedBy", replacedBy},
                                    {"at", isoTime(std::chrono::system_clock::now())}};
    save();
}

void CertificateRegistry::save() const {
    auto tmp = path_;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << state_.dump(2) << '\n';
        if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, path_);
}

}  // namespace firmante::portal
