#pragma once

#include "firmante/prompt/Language.h"

namespace firmante::desktop {

// The dialogs' language rule is the prompts' (firmante/prompt/Language.h): one rule for the
// agent's windows, its pinentry text and its --help.
using prompt::in;
using prompt::Language;
using prompt::languageFromEnvironment;

}  // namespace firmante::desktop
