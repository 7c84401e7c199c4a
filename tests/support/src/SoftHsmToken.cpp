#include "firmante/testing/SoftHsmToken.h"

#include <cstdlib>
#include <stdexcept>

#include "firmante/testing/Process.h"

namespace firmante::testing {

SoftHsmToken::SoftHsmToken(const std::string& label) : dir_("firmante-softhsm"), label_(label) {
    std::filesystem::create_directories(dir_ / "tokens");
    writeFile(confPath().string(), "directories.tokendir = " + (dir_ / "tokens").string() +
                                       "\nobjectstore.backend = file\nlog.level = ERROR\n");
    // Every module load in this process (ours, libp11's, a child's) reads this variable.
    ::setenv("SOFTHSM2_CONF", confPath().c_str(), 1);
    addToken(label);
}

void SoftHsmToken::addToken(const std::string& label) {
    auto r = run({"softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", kSoPin,
                  "--pin", kUserPin},
                 {}, {{"SOFTHSM2_CONF", confPath().string()}});
    if (r.exitCode != 0) throw std::runtime_error("softhsm2-util --init-token failed: " + r.err);
}

}  // namespace firmante::testing
