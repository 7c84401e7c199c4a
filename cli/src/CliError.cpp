#include "CliError.h"

#include "Messages.h"

namespace firmante::cli {

CliError::CliError(std::string reason, const std::string& message)
    : std::runtime_error(message), reason_(std::move(reason)) {}

CliError CliError::from(const pkcs11::Error& error) {
    std::string word(error.reasonWord());
    // The library speaks English; lead with the table's sentence in the person's language
    // (protocol/reasons.json) so they know what happened, then the detail.
    std::string message = error.what();
    if (const auto sentence = reasonSentence(word); !sentence.empty()) {
        message = std::string(sentence) + " " + message;
    }
    CliError e(word, message);
    e.triesLeft = error.triesLeft();
    e.pinCountLow = error.pinCountLow();
    e.pinFinalTry = error.triesLeft() == 1;
    return e;
}

}  // namespace firmante::cli
