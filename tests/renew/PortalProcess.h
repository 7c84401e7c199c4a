#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "firmante/testing/Process.h"

namespace firmante::renew::testing {

/// A real `firmante-portal serve --port 0` on its own state folder, stopped (SIGTERM, then
/// SIGKILL after a deadline) when this goes away.
class PortalProcess {
  public:
    explicit PortalProcess(std::filesystem::path stateDir);
    ~PortalProcess();
    PortalProcess(const PortalProcess&) = delete;
    PortalProcess& operator=(const PortalProcess&) = delete;

    /// Starts it and waits (deadline 20 s) for the URL line. Throws std::runtime_error with its
    /// stderr when it does not come up.
    void start();
    /// "http://127.0.0.1:PORT"
    const std::string& url() const noexcept { return url_; }
    const std::filesystem::path& stateDir() const noexcept { return stateDir_; }

    static std::string binary() { return FIRMANTE_PORTAL; }

  private:
    std::filesystem::path stateDir_;
    std::string url_;
    std::optional<firmante::testing::Child> child_;
};

}  // namespace firmante::renew::testing
