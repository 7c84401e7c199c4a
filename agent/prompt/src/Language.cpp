#include "firmante/prompt/Language.h"

#include <cstdlib>
#include <string_view>

namespace firmante::prompt {

Language languageFromEnvironment() {
    for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* value = std::getenv(name);
        if (!value || !*value) continue;
        const std::string_view locale(value);
        if (locale == "C" || locale == "POSIX" || locale.starts_with("C.") ||
            locale.starts_with("es")) {
            return Language::Spanish;
        }
        return Language::English;
    }
    return Language::Spanish;
}

const std::string& in(Language language, const Bilingual& words) {
    return language == Language::Spanish ? words.es : words.en;
}

}  // namespace firmante::prompt
