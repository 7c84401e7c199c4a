#pragma once

#include <string>

namespace firmante::cli {

/// What a person sees when asked for a PIN or password: which token or file, which operation,
/// and for a signature the file name and its SHA-256 (DESIGN §3 rule 4).
struct PromptText {
    std::string title;        // window title for graphical pinentries
    std::string description;  // the sentence naming token, operation, file
    std::string prompt;       // "PIN:" / "Contraseña:"
};

}  // namespace firmante::cli
