#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "Arguments.h"

namespace firmante::cli::doctor {

/// ok: works. warn: something to know or improve, signing still works. fail: signing (or the
/// browser path it names) cannot work until the fix is applied.
enum class Status { Ok, Warn, Fail };

/// One finding of `firmante doctor`: what was looked at, what was found, and — unless it is
/// fine — what a person should do, in their language.
struct Check {
    explicit Check(std::string id_, Status status_ = Status::Ok, std::string reason_ = {},
                   std::string summary_ = {}, std::string fix_ = {})
        : id(std::move(id_)),
          status(status_),
          reason(std::move(reason_)),
          summary(std::move(summary_)),
          fix(std::move(fix_)) {}

    std::string id;  // stable, for scripts: "module", "manifest.chromium", "websocket-port"…
    Status status = Status::Ok;
    std::string reason;   // a reason word when status is Fail (decides the exit status)
    std::string summary;  // what was found
    std::string fix;      // what to do; empty when nothing is to be done
    nlohmann::json details = nlohmann::json::object();
};

using Checks = std::vector<Check>;

/// The PKCS#11 module (which, from where), pcscd when the module is OpenSC's, and the tokens.
void checkToken(const Arguments& args, Checks& out);
/// The renewal journal folder is a folder we can write to.
void checkJournal(Checks& out);
/// Host manifests of each installed browser (user and system level), snap and flatpak browsers.
void checkBrowsers(Checks& out);
/// firmante-pdf, which reads renewal letters (poppler), loads (renew --direct and the agent use it).
void checkPdfReader(Checks& out);
/// The agent answers on its socket; the WebSocket port is the agent's and no other program's.
void checkAgent(Checks& out);

/// Runs every check; prints the report (JSON or text) and returns the exit status: 0 when no
/// check failed, else the status of the first failing check's reason word.
int runDoctor(const Arguments& args, bool json);

std::string statusWord(Status status);

}  // namespace firmante::cli::doctor
