#pragma once

#include <filesystem>
#include <string>

#include "firmante/testing/TempDir.h"

namespace firmante::testing {

/// A private SoftHSM token for one test: its own token directory and softhsm2.conf, exported
/// through SOFTHSM2_CONF (DESIGN §6) before any module is loaded. Initialised with
/// softhsm2-util, as a person would.
class SoftHsmToken {
  public:
    static constexpr const char* kUserPin = "123456";
    static constexpr const char* kSoPin = "12345678";

    explicit SoftHsmToken(const std::string& label = "Firmante Test");
    /// Adds another token in the same directory (same PINs).
    void addToken(const std::string& label);

    const std::string& label() const noexcept { return label_; }
    std::filesystem::path confPath() const { return dir_ / "softhsm2.conf"; }
    const std::filesystem::path& dir() const noexcept { return dir_.path(); }
    static std::string modulePath() { return FIRMANTE_SOFTHSM_MODULE; }

  private:
    TempDir dir_;
    std::string label_;
};

}  // namespace firmante::testing
