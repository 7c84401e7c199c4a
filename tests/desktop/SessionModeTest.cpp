// Which prompts the agent uses, from the environment it starts in (docs/desktop.md).
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "firmante/desktop/SessionMode.h"

using firmante::desktop::chooseSessionMode;
using firmante::desktop::SessionMode;

namespace {

class SessionModeEnv : public ::testing::Test {
  protected:
    void SetUp() override {
        for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "FIRMANTE_PINENTRY",
                                 "SSH_CONNECTION", "XDG_RUNTIME_DIR"}) {
            if (const char* v = std::getenv(name)) saved_.emplace_back(name, v);
            ::unsetenv(name);
        }
        std::filesystem::create_directories(runtime_);
    }
    void TearDown() override {
        for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "FIRMANTE_PINENTRY",
                                 "SSH_CONNECTION", "XDG_RUNTIME_DIR"}) {
            ::unsetenv(name);
        }
        for (const auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
        std::filesystem::remove_all(runtime_);
    }
    SessionMode mode(bool tray = false) {
        std::string why;
        return chooseSessionMode(tray, why);
    }
    std::filesystem::path runtime_ =
        std::filesystem::temp_directory_path() / ("firmante-session-" + std::to_string(::getpid()));
    std::vector<std::pair<std::string, std::string>> saved_;
};

}  // namespace

TEST_F(SessionModeEnv, HeadlessAndSshWithoutADisplayKeepPinentryEvenWithTray) {
    EXPECT_EQ(mode(), SessionMode::Pinentry);
    ::setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22", 1);
    EXPECT_EQ(mode(), SessionMode::Pinentry);
    EXPECT_EQ(mode(true), SessionMode::Pinentry) << "--tray cannot open a window without a display";
}

TEST_F(SessionModeEnv, ADisplayWhoseSocketIsMissingIsNotAGraphicalSession) {
    ::setenv("DISPLAY", ":4242", 1);  // no /tmp/.X11-unix/X4242: Qt would abort the agent
    EXPECT_EQ(mode(), SessionMode::Pinentry);
}

TEST_F(SessionModeEnv, AWaylandSocketMeansDialogsUnlessFirmantePinentryIsSet) {
    ::setenv("XDG_RUNTIME_DIR", runtime_.c_str(), 1);
    ::setenv("WAYLAND_DISPLAY", "wayland-test", 1);
    EXPECT_EQ(mode(), SessionMode::Pinentry) << "the socket does not exist yet";
    std::ofstream(runtime_ / "wayland-test").put('\n');
    EXPECT_EQ(mode(), SessionMode::Desktop);
    ::setenv("FIRMANTE_PINENTRY", "/usr/bin/pinentry-tty", 1);
    EXPECT_EQ(mode(), SessionMode::Pinentry);
    EXPECT_EQ(mode(true), SessionMode::Desktop) << "--tray is asked for on the command line";
}
