// import-cert, import-pfx: bring a certificate (or a legacy key + certificate) onto the token.
#include <filesystem>

#include "Commands.h"
#include "Encoding.h"
#include "Messages.h"
#include "SecretPrompt.h"
#include "TokenSession.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/views/Json.h"

namespace firmante::cli {

nlohmann::json runImportCert(const Arguments& args) {
    auto in = args.required("in");
    auto label = args.value("label").value_or("");
    auto bytes = readInputFile(in);
    // Parse first: a file that is not a certificate is a usage error, found without a PIN.
    auto described = pkcs11::describeCertificate(bytes);
    TokenSession session(args);
    session.login(tr("op.importCert", {shownSubject(described.subject)}));
    auto stored = session.token().storeCertificate(bytes, label);
    return {{"token", views::tokenJson(session.info())},
            {"certificate", views::certificateJson(stored)}};
}

nlohmann::json runImportPfx(const Arguments& args) {
    auto in = args.required("in");
    auto label = args.value("label").value_or("");
    auto passwordFd = args.descriptor("password-fd");
    auto bytes = readInputFile(in);
    auto fileName = std::filesystem::path(in).filename().string();
    TokenSession session(args);
    session.login(tr("op.importPfx", {fileName}));
    PromptText text{tr("prompt.title"), tr("prompt.password", {fileName}),
                    tr("prompt.passwordLabel")};
    auto imported = session.token().importPkcs12(bytes, obtainSecret(passwordFd, text), label);
    return {{"token", views::tokenJson(session.info())},
            {"key", views::keyJson(imported.key)},
            {"certificate", views::certificateJson(imported.certificate)}};
}

}  // namespace firmante::cli
