#include "CliError.h"

#include "Messages.h"

namespace firmante::cli {

CliError::CliError(std::string reason, const std::string& message)
    : std::runtime_error(message), reason_(std::move(reason)) {}

CliError CliError::from(const pkcs11::Error& error) {
    std::string word(error.reasonWord());
    // The library speaks English; lead with the localised gist so a person knows what happened.
    std::string key = "reason." + word;
    std::string gist = tr(key);
    std::string message = gist == key ? error.what() : gist + ": " + error.what();
    CliError e(word, message);
    e.triesLeft = error.triesLeft();
    e.pinCountLow = error.pinCountLow();
    e.pinFinalTry = error.triesLeft() == 1;
    return e;
}

}  // namespace firmante::cli
