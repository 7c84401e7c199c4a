// register-host.sh and the CMake-rendered host manifests.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "firmante/testing/TempDir.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kExtensionId = "booeiannpdjccdhgcnoncmlkejjkanao";
constexpr const char* kManifestName = "org.firmante.agent.json";

json readJson(const fs::path& path) {
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "missing " << path;
    return in ? json::parse(in) : json();
}

class NativeMessagingRegistration : public ::testing::Test {
  protected:
    // Runs a register-host.sh with HOME pointing at the temp folder and no XDG_CONFIG_HOME, so
    // nothing of the person running the tests is touched. Returns the exit status.
    int run(const std::string& script, const std::string& args) {
        const std::string command =
            "env -u XDG_CONFIG_HOME -u FIRMANTE_EXTENSION_ID -u "
            "FIRMANTE_NMHOST -u FIRMANTE_FIREFOX_ADDON_ID HOME='" +
            home().string() + "' sh '" + script + "' " + args + " >/dev/null";
        const int status = std::system(command.c_str());
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    fs::path home() const { return dir_.path(); }
    std::vector<fs::path> chromiumFamilyManifests() const {
        return {
            home() / ".config/google-chrome/NativeMessagingHosts" / kManifestName,
            home() / ".config/chromium/NativeMessagingHosts" / kManifestName,
            home() / ".config/microsoft-edge/NativeMessagingHosts" / kManifestName,
            home() / ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts" / kManifestName};
    }
    fs::path firefoxManifest() const {
        return home() / ".mozilla/native-messaging-hosts" / kManifestName;
    }

    firmante::testing::TempDir dir_{"fnm"};
};

}  // namespace

TEST_F(NativeMessagingRegistration, WritesTheFivePerUserManifestsWithTheRightContent) {
    const std::string host = FIRMANTE_NMHOST_PATH;
    ASSERT_EQ(run(FIRMANTE_REGISTER_SCRIPT, "--path '" + host + "' --extension-id " + kExtensionId),
              0);
    for (const auto& path : chromiumFamilyManifests()) {
        const json manifest = readJson(path);
        EXPECT_EQ(manifest["name"], "org.firmante.agent") << path;
        EXPECT_EQ(manifest["path"], host) << path;
        EXPECT_EQ(manifest["type"], "stdio") << path;
        EXPECT_FALSE(manifest["description"].get<std::string>().empty());
        // The trailing slash is required: without it Chromium reports "host not found".
        EXPECT_EQ(manifest["allowed_origins"],
                  json::array({std::string("chrome-extension://") + kExtensionId + "/"}))
            << path;
        EXPECT_FALSE(manifest.contains("allowed_extensions"));
        struct stat info {};
        ASSERT_EQ(::stat(path.c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 0777, 0644u);
    }
    const json firefox = readJson(firefoxManifest());
    EXPECT_EQ(firefox["name"], "org.firmante.agent");
    EXPECT_EQ(firefox["path"], host);
    EXPECT_EQ(firefox["type"], "stdio");
    EXPECT_EQ(firefox["allowed_extensions"], json::array({"firmante@firmante.org"}));
    EXPECT_FALSE(firefox.contains("allowed_origins"));
}

TEST_F(NativeMessagingRegistration, UnregisterRemovesEveryManifest) {
    ASSERT_EQ(run(FIRMANTE_REGISTER_SCRIPT,
                  std::string("--path /opt/x/firmante-nmhost --extension-id ") + kExtensionId),
              0);
    ASSERT_TRUE(fs::exists(firefoxManifest()));
    ASSERT_EQ(run(FIRMANTE_REGISTER_SCRIPT, "--unregister"), 0);
    for (const auto& path : chromiumFamilyManifests()) EXPECT_FALSE(fs::exists(path)) << path;
    EXPECT_FALSE(fs::exists(firefoxManifest()));
}

TEST_F(NativeMessagingRegistration, RefusesToRegisterWithoutAValidExtensionId) {
    EXPECT_NE(run(FIRMANTE_REGISTER_SCRIPT, "--path /opt/x/firmante-nmhost"), 0);
    EXPECT_NE(run(FIRMANTE_REGISTER_SCRIPT, "--path /opt/x/firmante-nmhost --extension-id ABC"), 0);
    for (const auto& path : chromiumFamilyManifests()) EXPECT_FALSE(fs::exists(path)) << path;
    EXPECT_FALSE(fs::exists(firefoxManifest()));
}

TEST_F(NativeMessagingRegistration, SystemModeWritesTheBrowsersSystemFoldersUnderDestdir) {
    const fs::path root = home() / "root";
    ASSERT_EQ(run(FIRMANTE_REGISTER_SCRIPT, "--system --destdir '" + root.string() +
                                                "' --path /usr/bin/firmante-nmhost "
                                                "--extension-id " +
                                                kExtensionId),
              0);
    for (const char* dir :
         {"etc/opt/chrome/native-messaging-hosts", "etc/chromium/native-messaging-hosts",
          "etc/opt/edge/native-messaging-hosts", "etc/opt/brave.com/brave/native-messaging-hosts",
          "usr/lib/mozilla/native-messaging-hosts"}) {
        const json manifest = readJson(root / dir / kManifestName);
        EXPECT_EQ(manifest["path"], "/usr/bin/firmante-nmhost") << dir;
    }
    EXPECT_FALSE(fs::exists(home() / ".config"));
}

TEST_F(NativeMessagingRegistration, BuildTreeScriptDefaultsToTheBuiltRelay) {
    ASSERT_EQ(run(FIRMANTE_BUILD_REGISTER_SCRIPT, std::string("--extension-id ") + kExtensionId),
              0);
    EXPECT_EQ(readJson(chromiumFamilyManifests()[1])["path"], FIRMANTE_NMHOST_PATH);
}

TEST_F(NativeMessagingRegistration, CMakeRendersBuildTreeAndInstallManifests) {
    const fs::path rendered = FIRMANTE_RENDERED_MANIFESTS;
    const json chromium = readJson(rendered / "build/chromium" / kManifestName);
    EXPECT_EQ(chromium["name"], "org.firmante.agent");
    EXPECT_EQ(chromium["path"], FIRMANTE_NMHOST_PATH);
    EXPECT_EQ(chromium["type"], "stdio");
    EXPECT_EQ(chromium["allowed_origins"],
              json::array({"chrome-extension://" FIRMANTE_CONFIGURED_EXTENSION_ID "/"}));
    const json firefox = readJson(rendered / "build/firefox" / kManifestName);
    EXPECT_EQ(firefox["allowed_extensions"], json::array({FIRMANTE_CONFIGURED_FIREFOX_ADDON_ID}));

    const json installed = readJson(rendered / "install/chromium" / kManifestName);
    const std::string installedPath = installed["path"];
    EXPECT_TRUE(fs::path(installedPath).is_absolute());
    EXPECT_EQ(fs::path(installedPath).filename(), "firmante-nmhost");
    EXPECT_EQ(readJson(rendered / "install/firefox" / kManifestName)["path"], installedPath);
}

#ifdef FIRMANTE_EXTENSION_MANIFEST
#include <openssl/evp.h>

#include "firmante/nm/ExtensionId.h"

// Compiled only when FIRMANTE_EXTENSION_ID is left empty and the extension ships its key.
TEST(NativeMessagingExtensionKey, BuildDerivesTheIdChromiumGivesTheExtensionsPublicKey) {
    std::ifstream in(FIRMANTE_EXTENSION_MANIFEST);
    const json manifest = json::parse(in);
    const std::string key = manifest.at("key");
    std::vector<std::uint8_t> der(key.size());
    const int decoded =
        EVP_DecodeBlock(der.data(), reinterpret_cast<const unsigned char*>(key.data()),
                        static_cast<int>(key.size()));
    ASSERT_GT(decoded, 0);
    // EVP_DecodeBlock counts padding as zero bytes: drop them.
    std::size_t size = static_cast<std::size_t>(decoded);
    for (auto it = key.rbegin(); it != key.rend() && *it == '='; ++it) --size;
    der.resize(size);
    EXPECT_EQ(std::string(FIRMANTE_CONFIGURED_EXTENSION_ID),
              firmante::nm::extensionIdFromPublicKeyDer(der));
}
#endif
