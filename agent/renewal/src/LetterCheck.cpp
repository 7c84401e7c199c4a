#include "firmante/renewal/LetterCheck.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "LetterText.h"
#include "VisibleText.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/renewal/LetterHeadings.h"

namespace firmante::renewal {

namespace {

// A key's first 16 bytes (BIT STRING, SEQUENCE, algorithm, modulus or point header) and last 8
// (RSA exponent) are the same in every key of a type: not boxed, as they prove nothing.
constexpr std::size_t kKeyHeadDigits = 32, kKeyTailDigits = 16;

/// One box per run of glyphs on one line: the next glyph joins the box when it is on the same
/// page, overlaps the box's height by half and follows it to the right within three heights.
void addGlyph(std::vector<LetterBox>& boxes, LetterBox::Shows shows, const GlyphPlace& g,
              bool startsValue) {
    if (!boxes.empty() && !startsValue) {
        LetterBox& b = boxes.back();
        const double height = std::min(b.y1 - b.y0, double{g.y1 - g.y0});
        const double overlap = std::min(b.y1, double{g.y1}) - std::max(b.y0, double{g.y0});
        if (b.page == g.page && overlap >= height / 2 && g.x0 >= b.x0 &&
            g.x0 - b.x1 <= 3 * height) {
            b = {shows,
                 b.page,
                 std::min(b.x0, double{g.x0}),
                 std::min(b.y0, double{g.y0}),
                 std::max(b.x1, double{g.x1}),
                 std::max(b.y1, double{g.y1})};
            return;
        }
    }
    boxes.push_back({shows, g.page, g.x0, g.y0, g.x1, g.y1});
}

/// The boxes of the glyphs that drew the digits [from, to) of value `v`.
void boxValue(std::vector<LetterBox>& boxes, LetterBox::Shows shows, const FoundValue& v,
              std::size_t from, std::size_t to,
              const std::vector<std::vector<std::size_t>>& offsets,
              const std::vector<GlyphPlace>& glyphs) {
    std::size_t digit = 0;  // of the block
    bool first = true;
    for (std::size_t w = v.firstWord; w <= v.lastWord && w < offsets.size(); ++w) {
        for (const std::size_t at : offsets[w]) {
            const std::size_t i = digit++;
            if (i < v.from + from || i >= v.from + to) continue;
            const auto g = std::lower_bound(
                glyphs.begin(), glyphs.end(), at,
                [](const GlyphPlace& p, std::size_t offset) { return p.offset < offset; });
            if (g == glyphs.end() || g->offset != at) continue;  // every visible digit has one
            addGlyph(boxes, shows, *g, std::exchange(first, false));
        }
    }
}

std::vector<LetterBox> boxesOf(const LetterFindings& findings,
                               const std::vector<std::vector<std::size_t>>& offsets,
                               const std::vector<GlyphPlace>& glyphs) {
    std::vector<LetterBox> boxes;
    for (const FoundValue& key : findings.newKey) {
        const bool trimmed = key.size > kKeyHeadDigits + kKeyTailDigits;
        boxValue(boxes, LetterBox::Shows::NewKey, key, trimmed ? kKeyHeadDigits : 0,
                 trimmed ? key.size - kKeyTailDigits : key.size, offsets, glyphs);
    }
    for (const FoundValue& hash : findings.previousLetter)
        boxValue(boxes, LetterBox::Shows::PreviousLetter, hash, 0, hash.size, offsets, glyphs);
    return boxes;
}

}  // namespace

Bilingual checkRenewalLetter(std::span<const unsigned char> pdf,
                             const LetterExpectation& expected, std::vector<LetterBox>* found) {
    const VisibleLetter letter = visibleLetter(pdf);
    std::vector<std::vector<std::size_t>> offsets;
    const std::vector<std::string> words = letterWords(letter.text, &offsets);
    LetterFindings findings;
    if (const auto problem = letterProblem(words, expected, &findings))
        throw pkcs11::Error(pkcs11::Reason::LetterMismatch,
                            *problem +
                                " No se firmó nada: descargue de nuevo la carta de esta "
                                "renovación.");
    // The headings are quoted as the letter prints them, in Spanish, in both sentences.
    Bilingual check{"La carta muestra, bajo «" + std::string(headings::kNewKey) +
                        "», la llave generada en su token",
                    "The letter shows, under “" + std::string(headings::kNewKey) +
                        "”, the key generated on your token"};
    if (!expected.previousSha1.empty()) {
        check.es += ", y la " + std::string(headings::kPreviousLetter) + " que usted firmó (" +
                    expected.previousSha1 + ")";
        check.en += ", and the “" + std::string(headings::kPreviousLetter) +
                    "” of the letter you signed (" + expected.previousSha1 + ")";
    }
    check.es += ".";
    check.en += ".";
    if (found) *found = boxesOf(findings, offsets, letter.glyphs);
    return check;
}

bool carriesRenewalHeadings(std::span<const unsigned char> document) {
    const std::string_view head(reinterpret_cast<const char*>(document.data()),
                                std::min<std::size_t>(document.size(), 1024));
    if (head.find("%PDF-") == std::string_view::npos) return false;
    return hasRenewalHeading(letterWords(anyPdfText(document)));
}

std::string spkiFingerprint(std::span<const unsigned char> spkiDer) {
    const std::string hex = pkcs11::toHex(pkcs11::sha256(spkiDer));
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 4) {
        if (i) out.push_back(' ');
        out += hex.substr(i, 4);
    }
    return out;
}

}  // namespace firmante::renewal
