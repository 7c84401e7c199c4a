#include "LetterText.h"

#include <algorithm>
#include <array>

#include "VisibleText.h"
#include "firmante/renewal/LetterHeadings.h"

namespace firmante::renewal {

namespace {

constexpr char kUnconfirmedMark = '?';

/// A malformed byte: not a character (a separator), and not U+FFFD, which the glyph check
/// writes for a character its font does not confirm.
constexpr char32_t kMalformed = 0x110000;

/// Decodes one UTF-8 sequence at `i`; a malformed byte decodes as kMalformed.
char32_t nextCodePoint(std::string_view s, std::size_t& i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    int extra = c < 0x80             ? 0
                : (c & 0xE0) == 0xC0 ? 1
                : (c & 0xF0) == 0xE0 ? 2
                : (c & 0xF8) == 0xF0 ? 3
                                     : -1;
    if (extra < 0 || i + extra >= s.size()) {
        ++i;
        return kMalformed;
    }
    char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) {
            ++i;
            return kMalformed;
        }
        cp = (cp << 6) | (b(i + k) & 0x3F);
    }
    i += extra + 1;
    return cp;
}

/// Characters a viewer draws as nothing, or as a mark on the letter before (an accent drawn on
/// its own over "u" must not split "Pública"): dropped, not separators.
bool invisible(char32_t c) {
    return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF || c == 0x00AD || c == 0x034F ||
           c == 0x180E || (c >= 0x0300 && c <= 0x036F) || (c >= 0x02B0 && c <= 0x02FF) ||
           c == 0x00B4 || c == 0x00A8 || c == 0x00B8 || c == 0x00AF || c == '`' || c == '^' ||
           c == '~' || (c >= 0xFE00 && c <= 0xFE0F);
}

/// The plain letter a reader takes `c` for, or 0 when it is not a letter or digit; '?' for a
/// glyph whose font does not confirm its character (kUnconfirmedGlyph): it stays inside its
/// word, so a key or heading drawn with one never matches, and a key block it touches grows.
char fold(char32_t c) {
    if (c == kUnconfirmedGlyph) return kUnconfirmedMark;
    if (c >= '0' && c <= '9') return static_cast<char>(c);
    if (c >= 'a' && c <= 'z') return static_cast<char>(c);
    if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
    if (c >= 0xFF10 && c <= 0xFF19) return static_cast<char>(c - 0xFF10 + '0');  // full-width
    if (c >= 0xFF21 && c <= 0xFF3A) return static_cast<char>(c - 0xFF21 + 'a');
    if (c >= 0xFF41 && c <= 0xFF5A) return static_cast<char>(c - 0xFF41 + 'a');
    // Latin-1 letters with accents, capitals and small (U+00C0–U+00FF), to their base letter.
    static constexpr std::string_view kLatin1 =
        "aaaaaaaceeeeiiiidnooooo ouuuuyts"
        "aaaaaaaceeeeiiiidnooooo ouuuuyty";
    if (c >= 0xC0 && c <= 0xFF) {
        const char f = kLatin1[c - 0xC0];
        return f == ' ' ? 0 : f;
    }
    // Look-alikes a forger could use for hex digits or heading letters.
    switch (c) {
        case 0x0430:
        case 0x0410:
        case 0x03B1:
        case 0x0391:
            return 'a';
        case 0x0412:
        case 0x0432:
        case 0x0392:
        case 0x03B2:
            return 'b';
        case 0x0441:
        case 0x0421:
        case 0x03F2:
            return 'c';
        case 0x0501:
            return 'd';
        case 0x0435:
        case 0x0415:
        case 0x0395:
            return 'e';
        case 0x043E:
        case 0x041E:
        case 0x03BF:
        case 0x039F:
            return 'o';
        case 0x0440:
        case 0x0420:
        case 0x03A1:
            return 'p';
        case 0x0445:
        case 0x0425:
        case 0x03A7:
            return 'x';
        case 0x0443:
        case 0x0423:
            return 'y';
        case 0x0456:
        case 0x0406:
        case 0x0399:
            return 'i';
        case 0x041C:
        case 0x039C:
            return 'm';
        case 0x041D:
        case 0x039D:
            return 'n';
        case 0x0422:
        case 0x03A4:
            return 't';
        case 0x041A:
        case 0x039A:
            return 'k';
        default:
            return 0;
    }
}

bool isHexWord(const std::string& w) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == kUnconfirmedMark;
    });
}

std::string digitsOnly(std::string_view hex) {
    std::string out;
    for (char c : hex) {
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) out.push_back(c);
    }
    return out;
}

enum class Heading { NewKey, OldKey, PreviousLetter };

bool oneOf(const std::string& w, std::initializer_list<std::string_view> set) {
    return std::find(set.begin(), set.end(), w) != set.end();
}

/// A heading starting at word `i` (and how many words it spans), under any wording the issue
/// lists: "llave/clave(s) pública(s) nueva(s)" in any order, "nueva llave", English "new public
/// key"; "… anterior/actual"; "cadena de identificación de (la) carta anterior".
std::optional<std::pair<Heading, std::size_t>> headingAt(const std::vector<std::string>& w,
                                                         std::size_t i) {
    const auto noun = [](const std::string& s) {
        return oneOf(s, {"llave", "llaves", "clave", "claves", "key", "keys"});
    };
    const auto pub = [](const std::string& s) {
        return oneOf(s, {"publica", "publicas", "public"});
    };
    const auto fresh = [](const std::string& s) { return oneOf(s, {"nueva", "nuevas", "new"}); };
    const auto old = [](const std::string& s) {
        return oneOf(s,
                     {"anterior", "anteriores", "actual", "previa", "old", "previous", "current"});
    };
    // Up to three consecutive words, each a noun, "pública" or the adjective, with a noun and
    // the adjective among them.
    for (std::size_t n = 3; n >= 2; --n) {
        if (i + n > w.size()) continue;
        bool hasNoun = false, hasNew = false, hasOld = false, allPart = true;
        for (std::size_t k = i; k < i + n; ++k) {
            hasNoun |= noun(w[k]);
            hasNew |= fresh(w[k]);
            hasOld |= old(w[k]);
            allPart &= noun(w[k]) || pub(w[k]) || fresh(w[k]) || old(w[k]);
        }
        if (!allPart || !hasNoun || hasNew == hasOld) continue;
        return std::make_pair(hasNew ? Heading::NewKey : Heading::OldKey, n);
    }
    if (w[i] == "cadena" || w[i] == "identificacion") {
        for (std::size_t k = i + 1; k + 1 < w.size() && k <= i + 5; ++k)
            if (w[k] == "carta" && w[k + 1] == "anterior")
                return std::make_pair(Heading::PreviousLetter, k + 2 - i);
    }
    if (w[i] == "previous" && i + 1 < w.size() && w[i + 1] == "letter")
        return std::make_pair(Heading::PreviousLetter, std::size_t{2});
    return std::nullopt;
}

constexpr std::size_t kKeyDigits = 64;  // shorter than any public key; longer than a folio
constexpr std::size_t kSha1Digits = 40;

struct Block {
    std::size_t first, last;  // word indices, inclusive
    std::string digits;
    // Whether the run is a number and not prose: it has a decimal digit ("de cada fe" is made
    // of hex letters only), or it is key-shaped — prose never strings together 64 characters
    // of words made only of a–f, and a key whose digits happen to be all letters is a key.
    bool counts = false;
};

/// Maximal runs of hex words: a key printed over lines and pages is one run.
std::vector<Block> hexBlocks(const std::vector<std::string>& w) {
    std::vector<Block> blocks;
    for (std::size_t i = 0; i < w.size();) {
        if (!isHexWord(w[i])) {
            ++i;
            continue;
        }
        Block b{i, i, {}};
        for (; i < w.size() && isHexWord(w[i]); ++i) {
            b.last = i;
            b.digits += w[i];
        }
        b.counts = b.digits.size() >= kKeyDigits ||
                   std::any_of(b.digits.begin(), b.digits.end(), [](char c) {
                       return (c >= '0' && c <= '9') || c == kUnconfirmedMark;
                   });
        blocks.push_back(std::move(b));
    }
    return blocks;
}

/// Running text may touch a block with one hex-looking word: "(RSA 2048): 03 82 …", "… 01 00 01
/// De acuerdo". The block matches a value with or without one such word at either end — but not
/// without an extra hex pair, which would be another key drawn longer than ours. Answers where
/// the value starts in the block's digits.
std::optional<std::size_t> valueAt(const Block& b, const std::vector<std::string>& w,
                                   const std::string& value) {
    if (value.empty()) return std::nullopt;
    const auto droppable = [&](std::size_t i) {
        return b.last > b.first && (w[i].size() != 2 || oneOf(w[i], {"de", "da", "fe"}));
    };
    const std::size_t front = droppable(b.first) ? w[b.first].size() : 0;
    const std::size_t back = droppable(b.last) ? w[b.last].size() : 0;
    for (std::size_t f : {std::size_t{0}, front})
        for (std::size_t k : {std::size_t{0}, back})
            if (f + k + value.size() == b.digits.size() &&
                b.digits.compare(f, value.size(), value) == 0)
                return f;
    return std::nullopt;
}

bool blockIs(const Block& b, const std::vector<std::string>& w, const std::string& value) {
    return valueAt(b, w, value).has_value();
}

/// Where `value`, which blockIs found in `b`, stands.
FoundValue foundIn(const Block& b, const std::vector<std::string>& w, const std::string& value) {
    return {b.first, b.last, valueAt(b, w, value).value_or(0), value.size()};
}

bool unconfirmed(const std::string& digits) {
    return digits.find(kUnconfirmedMark) != std::string::npos;
}

constexpr const char* kKeyFont =
    "La llave pública de la carta está dibujada con una fuente cuyos caracteres no se pueden "
    "verificar (lo que se ve podría no ser lo que dice el texto de la carta).";
constexpr const char* kHashFont =
    "La Cadena de Identificación de la carta está dibujada con una fuente cuyos caracteres no "
    "se pueden verificar (lo que se ve podría no ser lo que dice el texto de la carta).";

}  // namespace

std::vector<std::string> letterWords(std::string_view utf8,
                                     std::vector<std::vector<std::size_t>>* offsets) {
    std::vector<std::string> words(1);
    if (offsets) offsets->assign(1, {});
    for (std::size_t i = 0; i < utf8.size();) {
        const std::size_t at = i;
        const char32_t c = nextCodePoint(utf8, i);
        if (invisible(c)) continue;
        if (const char f = fold(c)) {
            words.back().push_back(f);
            if (offsets) offsets->back().push_back(at);
        } else if (!words.back().empty()) {
            words.emplace_back();
            if (offsets) offsets->emplace_back();
        }
    }
    if (words.back().empty()) {
        words.pop_back();
        if (offsets) offsets->pop_back();
    }
    return words;
}

bool hasRenewalHeading(const std::vector<std::string>& words) {
    for (std::size_t i = 0; i < words.size(); ++i)
        if (headingAt(words, i)) return true;
    return false;
}

std::optional<std::string> letterProblem(const std::vector<std::string>& words,
                                         const LetterExpectation& expected, LetterFindings* found) {
    const std::string ours = digitsOnly(expected.newKeyHex);
    const std::string old = digitsOnly(expected.oldKeyHex);
    const std::string previous = digitsOnly(expected.previousSha1);
    const std::vector<Block> blocks = hexBlocks(words);

    for (const Block& b : blocks) {
        if (!b.counts) continue;
        const bool keyShaped = b.digits.size() >= kKeyDigits;
        if (keyShaped && !blockIs(b, words, ours) && !blockIs(b, words, old))
            return unconfirmed(b.digits) ? kKeyFont
                                         : "La carta muestra una llave pública que no es la "
                                           "generada en su token ni la "
                                           "de su certificado actual.";
        if (!previous.empty() && b.digits.size() == kSha1Digits && !blockIs(b, words, previous))
            return unconfirmed(b.digits) ? kHashFont
                                         : "La carta muestra una Cadena de Identificación que no "
                                           "es la de la Carta de "
                                           "Aceptación que usted firmó.";
    }

    struct Section {
        Heading kind;
        std::size_t from, to;  // words after the heading, up to the next heading
    };
    std::vector<Section> sections;
    for (std::size_t i = 0; i < words.size();) {
        if (const auto h = headingAt(words, i)) {
            if (!sections.empty()) sections.back().to = i;
            sections.push_back({h->first, i + h->second, words.size()});
            i += h->second;
        } else {
            ++i;
        }
    }

    bool newKeyStated = false, previousStated = false;
    for (const Section& s : sections) {
        std::vector<const Block*> inside;
        for (const Block& b : blocks)
            if (b.first >= s.from && b.first < s.to && b.counts) inside.push_back(&b);
        if (s.kind == Heading::PreviousLetter) {
            const auto hash = std::find_if(inside.begin(), inside.end(), [](const Block* b) {
                return b->digits.size() >= kSha1Digits;
            });
            if (hash == inside.end()) continue;
            if (!blockIs(**hash, words, previous))
                return unconfirmed((*hash)->digits)
                           ? std::string(kHashFont)
                           : "La " + std::string(headings::kPreviousLetter) +
                                 " de la carta no es la de la carta que usted firmó.";
            previousStated = true;
            if (found) found->previousLetter.push_back(foundIn(**hash, words, previous));
            continue;
        }
        std::vector<const Block*> keys;
        for (const Block* b : inside)
            if (b->digits.size() >= kKeyDigits) keys.push_back(b);
        if (keys.empty()) continue;  // prose that names the key ("su llave pública nueva…")
        const bool fresh = s.kind == Heading::NewKey;
        if (keys.size() > 1)
            return "La carta muestra más de una llave bajo «" +
                   std::string(fresh ? headings::kNewKey : headings::kOldKey) + "».";
        if (fresh && !blockIs(*keys.front(), words, ours))
            return unconfirmed(keys.front()->digits) ? kKeyFont
                                                     : "La carta nombra como llave pública nueva "
                                                       "una llave que no es la generada en "
                                                       "su token.";
        if (!fresh && !old.empty() && !blockIs(*keys.front(), words, old))
            return "La carta nombra como llave pública anterior una llave que no es la del "
                   "certificado actual.";
        newKeyStated |= fresh;
        if (fresh && found) found->newKey.push_back(foundIn(*keys.front(), words, ours));
    }
    // A heading or value drawn with a font that does not confirm its characters is not read.
    const bool anyUnconfirmed = std::any_of(words.begin(), words.end(),
                                            [](const std::string& w) { return unconfirmed(w); });
    const std::string fonts =
        anyUnconfirmed ? " Parte de su texto está dibujado con una fuente cuyos caracteres no se "
                         "pueden verificar."
                       : "";
    if (!newKeyStated)
        return "La carta no muestra, bajo «" + std::string(headings::kNewKey) +
               "», la llave pública generada en su token." + fonts;
    if (!previous.empty() && !previousStated)
        return "La carta no muestra la " + std::string(headings::kPreviousLetter) +
               " que usted firmó." + fonts;
    return std::nullopt;
}

}  // namespace firmante::renewal
