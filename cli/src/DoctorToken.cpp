// doctor: the checks that decide whether signing on the token can work at all.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "CliError.h"
#include "Doctor.h"
#include "firmante/renewal/LetterCheck.h"
#include "JournalPath.h"
#include "Messages.h"
#include "ModuleSelection.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/protocol/ReasonEnums.h"

namespace firmante::cli::doctor {
namespace {

// pcscd's socket as Debian's pcscd.socket unit creates it; OpenSC sees no reader without it.
constexpr const char* kPcscdSocket = "/run/pcscd/pcscd.comm";

bool unixSocketAnswers(const char* path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path, sizeof address.sun_path - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

bool isOpenSc(const std::string& modulePath) {
    return std::filesystem::path(modulePath).filename().string().find("opensc") !=
           std::string::npos;
}

void checkPcscd(const std::string& modulePath, Checks& out) {
    Check c{"pcscd"};
    if (!isOpenSc(modulePath)) {
        c.summary = tr("doctor.pcscd.notNeeded");
    } else if (unixSocketAnswers(kPcscdSocket)) {
        c.summary = tr("doctor.pcscd.running");
    } else {
        c.status = Status::Fail;
        c.reason = protocol::words::TokenNotPresent;
        c.summary = tr("doctor.pcscd.down", {kPcscdSocket});
        c.fix = tr("doctor.pcscd.fix");
    }
    out.push_back(std::move(c));
}

void checkTokens(const pkcs11::Module& module, Checks& out) {
    Check c{"tokens"};
    const auto tokens = module.tokens();
    nlohmann::json list = nlohmann::json::array();
    bool usable = false;
    for (const auto& t : tokens) {
        list.push_back({{"label", t.label},
                        {"uri", t.uri().str()},
                        {"pinpad", t.pinpad},
                        {"pinLocked", t.pinLocked},
                        {"pinFinalTry", t.pinFinalTry},
                        {"initialized", t.initialized}});
        usable = usable || (!t.pinLocked && t.initialized);
    }
    c.details["tokens"] = list;
    if (tokens.empty()) {
        c.status = Status::Fail;
        c.reason = protocol::words::TokenNotPresent;
        c.summary = tr("doctor.tokens.none");
        c.fix = tr("doctor.tokens.noneFix");
    } else if (!usable) {
        c.status = Status::Fail;
        c.reason = protocol::words::PinLocked;
        c.summary = tr("doctor.tokens.locked", {tokens.front().label});
        c.fix = tr("doctor.tokens.lockedFix");
    } else {
        std::string names;
        for (const auto& t : tokens) {
            if (!names.empty()) names += ", ";
            names += "«" + t.label + "»";
            if (t.pinLocked) names += " (" + tr("pinState.locked") + ")";
            if (t.pinpad) names += " " + tr("pinState.pinpad");
        }
        c.summary = tr("doctor.tokens.present", {std::to_string(tokens.size()), names});
        for (const auto& t : tokens)
            if (t.pinFinalTry && !t.pinLocked) {
                c.status = Status::Warn;
                c.fix = tr("doctor.tokens.finalTryFix", {t.label});
            }
    }
    out.push_back(std::move(c));
}

// The module a person named (flag, environment, config), before discovery: a path that does
// not exist must be reported as exactly that, whoever named it.
std::optional<pkcs11::ModuleLocation> namedModule(const Arguments& args) {
    if (auto flag = args.value("module")) return pkcs11::ModuleLocation{*flag, "--module"};
    if (const char* env = std::getenv("FIRMANTE_MODULE"); env && *env)
        return pkcs11::ModuleLocation{env, "FIRMANTE_MODULE"};
    if (auto configured = configuredModule()) return pkcs11::ModuleLocation{*configured, "config"};
    return std::nullopt;
}

}  // namespace

void checkToken(const Arguments& args, Checks& out) {
    Check module{"module"};
    pkcs11::ModuleLocation location;
    try {
        const auto named = namedModule(args);
        location = named ? *named : selectModule(args);
    } catch (const CliError& e) {
        module.status = Status::Fail;
        module.reason = e.reason();
        module.summary = e.what();
        module.fix = tr("doctor.module.configFix");
        out.push_back(std::move(module));
        return;
    } catch (const pkcs11::Error& e) {
        module.status = Status::Fail;
        module.reason = std::string(e.reasonWord());
        module.summary = tr("doctor.module.none", {e.what()});
        module.fix = tr("doctor.module.noneFix");
        out.push_back(std::move(module));
        return;
    }
    module.details = {{"path", location.path}, {"source", location.source}};
    std::error_code ec;
    if (!std::filesystem::is_regular_file(location.path, ec)) {
        // Named before loading, so the person reads "this path does not exist", not dlopen's text.
        module.status = Status::Fail;
        module.reason = protocol::words::ModuleNotFound;
        module.summary = tr("doctor.module.missing", {location.path, location.source});
        module.fix = tr("doctor.module.missingFix", {location.source});
        out.push_back(std::move(module));
        return;
    }
    std::shared_ptr<pkcs11::Module> loaded;
    try {
        if (location.source == "p11-kit") {
            // As every command does: the first registered module that starts (issue 11 §8).
            std::vector<std::string> candidates;
            for (const auto& p : pkcs11::p11KitModulePaths())
                if (std::filesystem::exists(p, ec)) candidates.push_back(p);
            auto first = pkcs11::loadFirstModule(candidates, location.source);
            loaded = first.module;
            location = first.location;
            module.details["path"] = location.path;
            if (!first.skipped.empty()) module.details["skippedModules"] = first.skipped;
        } else {
            loaded = pkcs11::Module::load(location.path);
        }
    } catch (const pkcs11::Error& e) {
        module.status = Status::Fail;
        module.reason = std::string(e.reasonWord());
        module.summary = tr("doctor.module.unloadable", {location.path, e.what()});
        module.fix = tr("doctor.module.noneFix");
        out.push_back(std::move(module));
        return;
    }
    module.details["description"] = loaded->description();
    // Kept out of every other command's terminal (issue 11 §8); the doctor shows it.
    if (!loaded->startupNote().empty()) module.details["startupOutput"] = loaded->startupNote();
    module.summary =
        tr("doctor.module.found", {location.path, location.source, loaded->description()});
    out.push_back(std::move(module));
    checkPcscd(location.path, out);
    try {
        checkTokens(*loaded, out);
    } catch (const pkcs11::Error& e) {
        out.push_back(Check{"tokens", Status::Fail, std::string(e.reasonWord()),
                            tr("doctor.tokens.error", {e.what()}), tr("doctor.tokens.noneFix")});
    }
}

void checkJournal(Checks& out) {
    Check c{"journal"};
    const auto dir = journalDir();
    c.details["path"] = dir.string();
    // The agent creates the folder on first use: what must be writable is the folder, or else
    // the nearest folder above it that exists.
    std::filesystem::path probe = dir;
    std::error_code ec;
    while (!std::filesystem::exists(probe, ec) && probe.has_parent_path() &&
           probe != probe.parent_path())
        probe = probe.parent_path();
    const bool isFolder = std::filesystem::is_directory(probe, ec);
    if (isFolder && ::access(probe.c_str(), W_OK | X_OK) == 0) {
        c.summary = tr("doctor.journal.ok", {dir.string()});
    } else {
        c.status = Status::Fail;
        c.reason = protocol::words::NotWritable;
        c.summary =
            tr(isFolder ? "doctor.journal.readOnly" : "doctor.journal.notFolder", {probe.string()});
        c.fix = tr("doctor.journal.fix", {probe.string()});
    }
    out.push_back(std::move(c));
}

void checkPdfReader(Checks& out) {
    Check c{"pdf-reader"};
    if (const auto problem = renewal::pdfReaderProblem()) {
        c.status = Status::Fail;
        c.reason = protocol::words::Internal;
        c.summary = tr("doctor.pdf.missing", {*problem});
        c.fix = tr("doctor.pdf.fix");
    } else {
        c.summary = tr("doctor.pdf.ok");
    }
    out.push_back(std::move(c));
}

}  // namespace firmante::cli::doctor
