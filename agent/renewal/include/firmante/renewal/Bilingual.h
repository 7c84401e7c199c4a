#pragma once

#include <string>

namespace firmante::renewal {

/// A sentence for the person in both languages: es-MX ("usted") and English. The agent turns it
/// into prompt::Bilingual: pinentry shows both, Firmante's own dialog the one it is showing.
struct Bilingual {
    std::string es;
    std::string en;
};

}  // namespace firmante::renewal
