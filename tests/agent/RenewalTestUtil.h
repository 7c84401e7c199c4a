#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "firmante/agent/Base64.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/portal/LetterRenderer.h"

namespace firmante::agent::testing {

/// What the demo portal's letters say for a renewal from `oldSpki` to `newSpki`.
inline portal::LetterContent letterContent(const pkcs11::Bytes& newSpki,
                                           const pkcs11::Bytes& oldSpki) {
    portal::LetterContent content;
    content.employer = portal::EmployerRecord::demo();
    content.newSpki = newSpki;
    content.oldSpki = oldSpki;
    content.folio = "0a 1b 2c 3d";
    content.date = std::chrono::system_clock::now();
    return content;
}

/// renewal.sign_letter's parameters: `document` (the letter's PDF) for `stage` of renewal `id`.
inline nlohmann::json letterParams(const std::string& id, const char* stage,
                                   const std::vector<unsigned char>& document,
                                   const std::string& fileName) {
    return {{"renewalId", id},
            {"stage", stage},
            {"document", base64Encode(document)},
            {"fileName", fileName}};
}

}  // namespace firmante::agent::testing
