#include "RenewalSupport.h"

#include <algorithm>

#include "firmante/pkcs11/Error.h"

namespace firmante::renewal::support {

using pkcs11::Error;
using pkcs11::Reason;
using json = nlohmann::json;

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// "03 82 01 0f 00 30 82 01 … 02 03 01 00 01": enough of the key for a person to compare.
std::string abbreviateHex(const std::string& spaced) {
    constexpr std::size_t kHead = 8 * 3, kTail = 5 * 3;
    if (spaced.size() <= kHead + kTail + 3) return spaced;
    return spaced.substr(0, kHead) + "… " + spaced.substr(spaced.size() - kTail + 1);
}

bool provenanceConfirmedIn(const json& attributes) {
    if (!attributes.is_object()) return false;
    if (auto it = attributes.find("provenanceConfirmed");
        it != attributes.end() && it->is_boolean())
        return it->get<bool>();
    return attributes.value("local", false) && attributes.value("neverExtractable", false) &&
           attributes.value("alwaysSensitive", false) && !attributes.value("extractable", true);
}

void checkOrigin(const std::string& origin) {
    if (origin.empty() || origin.size() > kMaxOrigin)
        throw Error(Reason::InvalidParams, "Origen inválido.");
}

void checkFileName(const std::string& fileName) {
    if (fileName.size() > kMaxFileName)
        throw Error(Reason::InvalidParams, "El nombre del archivo es demasiado largo.");
    // Shown to the person in the prompt: control characters could forge its layout.
    for (unsigned char c : fileName)
        if (c < 0x20 || c == 0x7f)
            throw Error(Reason::InvalidParams,
                        "El nombre del archivo contiene caracteres de control.");
}

}  // namespace firmante::renewal::support
