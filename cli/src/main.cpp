// firmante — the command line of DESIGN §2.
#include <csignal>
#include <cstring>
#include <iostream>

#include "Arguments.h"
#include "CliError.h"
#include "Commands.h"
#include "Doctor.h"
#include "ExitCodes.h"
#include "Messages.h"
#include "Output.h"
#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/protocol/ReasonEnums.h"

using namespace firmante::cli;

namespace {

nlohmann::json dispatch(const Arguments& args) {
    const auto& verb = args.verb();
    if (verb == "tokens") return runTokens(args);
    if (verb == "certs") return runCerts(args);
    if (verb == "keys") return runKeys(args);
    if (verb == "keygen") return runKeygen(args);
    if (verb == "csr") return runCsr(args);
    if (verb == "sign") return runSign(args);
    if (verb == "verify") return runVerify(args);
    if (verb == "import-cert") return runImportCert(args);
    if (verb == "import-pfx") return runImportPfx(args);
    if (verb == "renew") return runRenew(args);
    throw CliError(firmante::protocol::words::InvalidParams, tr("usage.unknownVerb", {verb}));
}

std::string helpText(const std::string& verb) {
    if (verb.empty()) return tr("help.overview");
    // {0} in a verb's help is the key types, spelled by the one table.
    return tr("help." + verb, {firmante::pkcs11::keyTypeNames("|")}) + "\n" + tr("help.common");
}

}  // namespace

int main(int argc, char** argv) {
    setLanguage(languageFromEnvironment());
    // A pinentry that exits early must give an error, not kill us with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    // Known before parsing, so that even a usage error is reported as JSON.
    bool json = false;
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--json") == 0) json = true;
    try {
        auto args = Arguments::parse(argc, argv);
        if (args.help()) {
            std::cout << helpText(args.verb());
            return kExitOk;
        }
        // doctor prints a report whatever it finds; its exit status says whether signing works.
        if (args.verb() == "doctor") return doctor::runDoctor(args, json);
        auto result = dispatch(args);
        printResult(args.verb(), result, json);
        return kExitOk;
    } catch (const CliError& e) {
        return printError(e, json);
    } catch (const firmante::pkcs11::Error& e) {
        return printError(CliError::from(e), json);
    } catch (const std::exception& e) {
        return printError(CliError(firmante::protocol::words::Internal, e.what()), json);
    }
}
