#include "FaultFixture.h"

#include <cstdlib>
#include <sstream>

#include "firmante/testing/Process.h"

namespace firmante::renewal::testing {

using firmante::testing::SoftHsmToken;

void FaultFixture::SetUp() {
    // Set before the fixture loads the module: the fault module reads them on every call.
    ::setenv("FIRMANTE_FAULTS", (work_ / "faults").c_str(), 1);
    ::setenv("FIRMANTE_FAULTS_LOG", (work_ / "faults.log").c_str(), 1);
    faults("");
    RenewalFixture::SetUp();
}

void FaultFixture::TearDown() {
    RenewalFixture::TearDown();
    ::unsetenv("FIRMANTE_FAULTS");
    ::unsetenv("FIRMANTE_FAULTS_LOG");
}

void FaultFixture::faults(const std::string& words) {
    firmante::testing::writeFile((work_ / "faults").string(), words + "\n");
}

std::string FaultFixture::faultLog() const {
    try {
        return firmante::testing::readFile((work_ / "faults.log").string());
    } catch (const std::exception&) {
        return {};
    }
}

void FaultFixture::clearFaultLog() {
    firmante::testing::writeFile((work_ / "faults.log").string(), "");
}

std::vector<ToolObject> FaultFixture::toolObjects() const {
    const auto r = firmante::testing::run({"pkcs11-tool", "--module", SoftHsmToken::modulePath(),
                                           "--token-label", hsm_.label(), "--login", "--pin",
                                           SoftHsmToken::kUserPin, "--list-objects"});
    if (r.exitCode != 0) throw std::runtime_error("pkcs11-tool failed: " + r.err);
    std::vector<ToolObject> out;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        for (const char* kind : {"Private Key", "Public Key", "Certificate"}) {
            if (line.rfind(std::string(kind) + " Object", 0) == 0) out.push_back({kind, {}, {}});
        }
        if (out.empty()) continue;
        const auto field = [&](const char* name) -> std::optional<std::string> {
            const std::string prefix = std::string("  ") + name + ":";
            if (line.rfind(prefix, 0) != 0) return std::nullopt;
            std::string v = line.substr(prefix.size());
            v.erase(0, v.find_first_not_of(' '));
            return v;
        };
        if (auto id = field("ID")) out.back().id = *id;
        if (auto label = field("label")) out.back().label = *label;
    }
    return out;
}

std::size_t FaultFixture::toolCount(const std::string& kind) const {
    std::size_t n = 0;
    for (const auto& o : toolObjects()) n += o.kind == kind;
    return n;
}

bool FaultFixture::toolHas(const std::string& kind, const std::string& idHex) const {
    for (const auto& o : toolObjects())
        if (o.kind == kind && o.id == idHex) return true;
    return false;
}

}  // namespace firmante::renewal::testing
