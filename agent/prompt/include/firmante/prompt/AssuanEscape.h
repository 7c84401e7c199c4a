#pragma once

#include <string>
#include <string_view>

#include "firmante/pkcs11/Secret.h"

namespace firmante::prompt {

/// Escapes text for an Assuan command argument: '%', CR and LF become %25, %0D, %0A (the
/// protocol is line based, so a raw newline would end the command early).
std::string assuanEscape(std::string_view text);

/// Percent-decodes an Assuan data line straight into `out` (appending), so the PIN never passes
/// through an unwiped std::string. Throws pkcs11::Error(Internal) on a malformed escape.
void assuanDecodeInto(std::string_view data, pkcs11::Secret& out);

/// Percent-decodes into a plain string (for non-secret data, and for tests).
std::string assuanDecode(std::string_view data);

}  // namespace firmante::prompt
