#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "firmante/prompt/Language.h"

namespace firmante::cli {

// The agent's rule (firmante/prompt/Language.h): Spanish (es-MX) unless the first set of LC_ALL,
// LC_MESSAGES, LANG names another language than Spanish, C or POSIX.
using prompt::Language;
using prompt::languageFromEnvironment;
void setLanguage(Language language) noexcept;
Language currentLanguage() noexcept;

/// A user-facing text in both languages, as the message tables hold it.
struct Text {
    const char* es;
    const char* en;
};

/// `text` in the current language, with {0}, {1}… replaced by `args`.
std::string render(const Text& text, std::initializer_list<std::string> args = {});

/// The text for `key` in the current language, with {0}, {1}… replaced by `args`. Every
/// user-facing string lives in one table (Messages.cpp) so that both languages always exist.
std::string tr(std::string_view key, std::initializer_list<std::string> args = {});

/// The one-sentence description of a reason word in the current language (protocol/reasons.json),
/// or an empty string for a word the table does not have.
std::string_view reasonSentence(std::string_view word) noexcept;

/// A certificate subject or a file name as a message quotes it: escaped and shortened by
/// prompt::safeText (whoever issued the certificate or named the file chose these bytes).
std::string shownSubject(const std::string& subject);
std::string shownFileName(const std::string& fileName);

}  // namespace firmante::cli
