#pragma once

#include "firmante/pkcs11/Token.h"
#include "firmante/prompt/PromptText.h"
#include "firmante/renewal/Authorizer.h"

namespace firmante::agent {

/// The button of a prompt, named for what it does: "Generar llave" / "Generate key",
/// "Firmar carta", "Guardar certificado", "Eliminar"… (issue 12: never "Firmar" to delete).
prompt::Bilingual actionWords(renewal::Action action);

/// The structured form of a prompt (the Qt dialogs lay it out themselves) from a description
/// whose every field is already sanitised (PromptAuthorizer's shownFields). `token`, when
/// given, adds the tries-left warning and the PIN-pad case. Never throws but std::bad_alloc.
prompt::PromptDetails promptDetailsOf(const renewal::OperationDescription& shown,
                                      prompt::PromptKind kind,
                                      const pkcs11::TokenInfo* token = nullptr);

/// The tries-left warning for `token` in both languages, if any.
std::optional<prompt::Bilingual> triesWarningOf(const pkcs11::TokenInfo& token);

}  // namespace firmante::agent
