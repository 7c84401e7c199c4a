#pragma once

#include <optional>
#include <string>

namespace firmante::prompt {

/// Everything a prompt window shows. Texts are already composed for the person (es-MX first,
/// English under it); a Prompter only displays them.
struct PromptText {
    std::string title;
    /// Several lines: who asks, what for, the document and its SHA-256, the token and key.
    std::string description;
    /// The label next to the PIN field ("PIN:"); unused by confirm().
    std::string prompt = "PIN:";
    std::string ok = "Aceptar / OK";
    std::string cancel = "Cancelar / Cancel";
    /// A warning shown prominently (remaining tries), if any.
    std::optional<std::string> error;
};

}  // namespace firmante::prompt
