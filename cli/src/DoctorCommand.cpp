// firmante doctor: what works, and what to do about what does not (docs/install.md lists the
// checks). It never asks for a PIN and changes nothing.
#include <iostream>

#include "Doctor.h"
#include "ExitCodes.h"
#include "Messages.h"

namespace firmante::cli::doctor {
namespace {

nlohmann::json toJson(const Check& c) {
    nlohmann::json j{{"id", c.id}, {"status", statusWord(c.status)}, {"summary", c.summary}};
    if (!c.reason.empty()) j["reason"] = c.reason;
    if (!c.fix.empty()) j["fix"] = c.fix;
    if (!c.details.empty()) j["details"] = c.details;
    return j;
}

}  // namespace

std::string statusWord(Status status) {
    switch (status) {
        case Status::Ok:
            return "ok";
        case Status::Warn:
            return "warn";
        case Status::Fail:
            return "fail";
    }
    return "fail";
}

int runDoctor(const Arguments& args, bool json) {
    Checks checks;
    checkToken(args, checks);
    checkJournal(checks);
    checkPdfReader(checks);
    checkAgent(checks);
    checkBrowsers(checks);

    const Check* firstFailure = nullptr;
    for (const auto& c : checks)
        if (c.status == Status::Fail && !firstFailure) firstFailure = &c;
    const int status = firstFailure ? exitCodeFor(firstFailure->reason) : kExitOk;

    if (json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& c : checks) list.push_back(toJson(c));
        nlohmann::json report{{"signingCanWork", firstFailure == nullptr}, {"checks", list}};
        std::cout << report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return status;
    }
    for (const auto& c : checks) {
        std::cout << tr("doctor.mark." + statusWord(c.status)) << " " << c.id << ": " << c.summary
                  << "\n";
        if (!c.fix.empty())
            std::cout << "        " << tr("doctor.fixPrefix") << " " << c.fix << "\n";
    }
    std::cout << "\n"
              << (firstFailure ? tr("doctor.verdict.fail", {firstFailure->id})
                               : tr("doctor.verdict.ok"))
              << "\n";
    return status;
}

}  // namespace firmante::cli::doctor
