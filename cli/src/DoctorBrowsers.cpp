// doctor: is the native host registered where each installed browser looks for it? The most
// frequent support request of every peer project is "the native host was not found".
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "Doctor.h"
#include "Messages.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli::doctor {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHostFile = "org.firmante.agent.json";

enum class Family { Chromium, Firefox };

struct Browser {
    const char* id;
    const char* name;
    Family family;
    std::vector<const char*> programs;    // on PATH when the browser is installed natively
    const char* userConfigDir;            // under $XDG_CONFIG_HOME (Firefox: under $HOME)
    std::vector<const char*> systemDirs;  // the system-wide host folders it reads
};

// docs/native-messaging.md lists the same folders; the package installs into each system one.
const std::vector<Browser>& browsers() {
    static const std::vector<Browser> table{
        {"chrome",
         "Google Chrome",
         Family::Chromium,
         {"google-chrome", "google-chrome-stable"},
         "google-chrome",
         {"/etc/opt/chrome/native-messaging-hosts"}},
        {"chromium",
         "Chromium",
         Family::Chromium,
         {"chromium", "chromium-browser"},
         "chromium",
         {"/etc/chromium/native-messaging-hosts"}},
        {"edge",
         "Microsoft Edge",
         Family::Chromium,
         {"microsoft-edge", "microsoft-edge-stable"},
         "microsoft-edge",
         {"/etc/opt/edge/native-messaging-hosts"}},
        {"brave",
         "Brave",
         Family::Chromium,
         {"brave-browser", "brave"},
         "BraveSoftware/Brave-Browser",
         {"/etc/opt/brave.com/brave/native-messaging-hosts", "/etc/brave/native-messaging-hosts"}},
        {"firefox",
         "Firefox",
         Family::Firefox,
         {"firefox", "firefox-esr"},
         ".mozilla",
         {"/usr/lib/mozilla/native-messaging-hosts", "/usr/lib64/mozilla/native-messaging-hosts"}},
    };
    return table;
}

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value && *value ? value : "";
}

fs::path home() {
    return env("HOME");
}

fs::path configHome() {
    if (auto xdg = env("XDG_CONFIG_HOME"); !xdg.empty() && xdg.front() == '/') return xdg;
    return home() / ".config";
}

fs::path userProfileDir(const Browser& b) {
    return b.family == Family::Firefox ? home() / b.userConfigDir : configHome() / b.userConfigDir;
}

fs::path userHostDir(const Browser& b) {
    return b.family == Family::Firefox ? userProfileDir(b) / "native-messaging-hosts"
                                       : userProfileDir(b) / "NativeMessagingHosts";
}

// A native install, not a snap: /snap/bin on PATH would otherwise count snap browsers twice.
bool onPath(const std::string& program) {
    std::stringstream path(env("PATH"));
    std::string dir;
    while (std::getline(path, dir, ':')) {
        if (dir.empty() || dir.rfind("/snap", 0) == 0) continue;
        if (::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
    }
    return false;
}

bool installed(const Browser& b) {
    for (const char* program : b.programs)
        if (onPath(program)) return true;
    std::error_code ec;
    return fs::is_directory(userProfileDir(b), ec);
}

// What is wrong with one manifest file, or an empty string when a browser can start the host.
std::string manifestProblem(const fs::path& file, const Browser& b, std::string& hostPath) {
    std::ifstream in(file);
    auto manifest = nlohmann::json::parse(in, nullptr, false);
    if (manifest.is_discarded() || !manifest.is_object())
        return tr("doctor.manifest.notJson", {file.string()});
    if (manifest.value("name", std::string()) != "org.firmante.agent")
        return tr("doctor.manifest.wrongName", {file.string()});
    hostPath = manifest.value("path", std::string());
    if (hostPath.empty() || hostPath.front() != '/')
        return tr("doctor.manifest.relativePath", {file.string(), hostPath});
    std::error_code ec;
    if (!fs::is_regular_file(hostPath, ec) || ::access(hostPath.c_str(), X_OK) != 0)
        return tr("doctor.manifest.missingHost", {file.string(), hostPath});
    const char* allowed = b.family == Family::Firefox ? "allowed_extensions" : "allowed_origins";
    auto list = manifest.find(allowed);
    if (list == manifest.end() || !list->is_array() || list->empty())
        return tr("doctor.manifest.noAllowed", {file.string(), allowed});
    return {};
}

void checkManifests(const Browser& b, Checks& out) {
    Check c{std::string("manifest.") + b.id};
    // Chromium-family browsers prefer the user's folder, so it is read first, like they do.
    std::vector<std::pair<std::string, fs::path>> places{{"user", userHostDir(b) / kHostFile}};
    for (const char* dir : b.systemDirs) places.emplace_back("system", fs::path(dir) / kHostFile);
    nlohmann::json found = nlohmann::json::array();
    std::string firstProblem;
    for (const auto& [level, file] : places) {
        std::error_code ec;
        if (!fs::exists(file, ec)) continue;
        std::string hostPath;
        auto problem = manifestProblem(file, b, hostPath);
        found.push_back({{"level", level},
                         {"file", file.string()},
                         {"host", hostPath},
                         {"ok", problem.empty()}});
        if (!problem.empty() && firstProblem.empty()) firstProblem = problem;
    }
    c.details = {{"browser", b.name}, {"manifests", found}};
    if (!firstProblem.empty()) {
        c.status = Status::Fail;
        c.reason = protocol::words::NativeUnavailable;
        c.summary = firstProblem;
        c.fix = tr("doctor.manifest.brokenFix");
    } else if (found.empty()) {
        c.status = Status::Warn;
        c.summary = tr("doctor.manifest.none", {b.name});
        c.fix = tr("doctor.manifest.noneFix");
    } else {
        std::string where;
        for (const auto& m : found)
            where += (where.empty() ? "" : ", ") + m["file"].get<std::string>();
        c.summary = tr("doctor.manifest.ok", {b.name, where});
    }
    out.push_back(std::move(c));
}

// Sandboxed browsers cannot start a program of the host by themselves.
void checkSandboxedBrowsers(Checks& out) {
    std::error_code ec;
    struct Sandboxed {
        const char* id;
        std::vector<fs::path> places;
        const char* summaryKey;
        const char* fixKey;
    };
    const fs::path userFlatpak = home() / ".local/share/flatpak/app";
    const std::vector<Sandboxed> kinds{
        {"snap.firefox", {"/snap/bin/firefox"}, "doctor.snap.firefox", "doctor.snap.firefoxFix"},
        {"snap.chromium", {"/snap/bin/chromium"}, "doctor.snap.chromium", "doctor.sandbox.fix"},
        {"flatpak",
         {"/var/lib/flatpak/app/org.mozilla.firefox", "/var/lib/flatpak/app/org.chromium.Chromium",
          "/var/lib/flatpak/app/com.google.Chrome", "/var/lib/flatpak/app/com.brave.Browser",
          "/var/lib/flatpak/app/com.microsoft.Edge", userFlatpak / "org.mozilla.firefox",
          userFlatpak / "org.chromium.Chromium", userFlatpak / "com.google.Chrome",
          userFlatpak / "com.brave.Browser", userFlatpak / "com.microsoft.Edge"},
         "doctor.flatpak",
         "doctor.sandbox.fix"},
    };
    for (const auto& kind : kinds) {
        nlohmann::json seen = nlohmann::json::array();
        for (const auto& place : kind.places)
            if (fs::exists(place, ec)) seen.push_back(place.string());
        if (seen.empty()) continue;
        Check c{kind.id, Status::Warn};
        c.summary = tr(kind.summaryKey, {seen.front().get<std::string>()});
        c.fix = tr(kind.fixKey);
        c.details["found"] = seen;
        out.push_back(std::move(c));
    }
}

}  // namespace

void checkBrowsers(Checks& out) {
    bool any = false;
    for (const auto& b : browsers()) {
        if (!installed(b)) continue;
        any = true;
        checkManifests(b, out);
    }
    if (!any)
        out.push_back(Check{"browsers", Status::Warn, "", tr("doctor.browsers.none"),
                            tr("doctor.browsers.noneFix")});
    checkSandboxedBrowsers(out);
}

}  // namespace firmante::cli::doctor
