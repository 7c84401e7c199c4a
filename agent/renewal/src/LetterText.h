#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firmante/renewal/LetterCheck.h"

namespace firmante::renewal {

/// The words of a letter's text as the check compares them: every character folded to what a
/// reader takes it for (capitals and accented letters to plain lower-case ASCII, look-alike
/// Cyrillic and full-width letters to Latin), zero-width characters, bidi controls and accents
/// drawn on their own dropped, and anything else (spaces, punctuation, dashes, « ») a separator.
/// Never throws on malformed UTF-8 (a bad byte is a separator).
/// With `offsets`, also where each character of each word starts in `utf8` (one vector per word,
/// one byte offset per character).
std::vector<std::string> letterWords(std::string_view utf8,
                                     std::vector<std::vector<std::size_t>>* offsets = nullptr);

/// A value letterProblem accepted where it stands: the hex block of words [firstWord, lastWord]
/// whose digits, concatenated, hold the value at [from, from + size).
struct FoundValue {
    std::size_t firstWord = 0, lastWord = 0;
    std::size_t from = 0, size = 0;
};

/// What letterProblem accepted, when it accepts: the new key under each new-key heading that
/// states it, and the previous letter's SHA-1 under its heading.
struct LetterFindings {
    std::vector<FoundValue> newKey;
    std::vector<FoundValue> previousLetter;
};

/// Why the words of a letter do not state what `expected` says, in es-MX for the person, or
/// nullopt when they do (DESIGN §3 rule 4):
///  - every key-shaped hex block (≥ 64 hex digits, spacing and line breaks ignored) anywhere is
///    the new key or the old key; for the terms letter every 40-digit block is the previous
///    letter's SHA-1;
///  - under each new-key heading, in any spelling ("Llave Pública Nueva", "Nueva Clave
///    Pública", "LLAVES PÚBLICAS NUEVAS"…), up to the next heading, there is at most one key
///    block and it is the new key, and at least one heading has it; the same for the old key;
///  - for the terms letter the first block under the previous-letter heading is its SHA-1.
/// With `found`, notes where the accepted values stand (meaningful only when it returns nullopt).
std::optional<std::string> letterProblem(const std::vector<std::string>& words,
                                         const LetterExpectation& expected,
                                         LetterFindings* found = nullptr);

/// Whether the words carry a renewal letter's headings (new or old key, previous letter).
bool hasRenewalHeading(const std::vector<std::string>& words);

}  // namespace firmante::renewal
