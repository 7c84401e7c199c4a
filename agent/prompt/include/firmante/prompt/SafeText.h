#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace firmante::prompt {

/// Where safeText() cuts a text longer than its limit.
enum class Shorten {
    End,     // "Una razón social muy larg…": for names read from the start
    Middle,  // "factura-de-en…2026.pdf.exe": file names, so the extension stays visible
};

/// The one sanitiser for text that comes from outside (file names, certificate subjects,
/// origins, token and key labels) before it reaches a prompt or a log line. Characters that
/// could change how the rest of the line reads are shown as RFC 4514 style hex pairs of their
/// UTF-8 bytes ("factura\E2\80\AEfdp.exe"): C0 and C1 controls (U+0085 too), DEL, bidi
/// embeddings, overrides, isolates and marks (U+061C, U+200E/F, U+202A–E, U+2066–9), line and
/// paragraph separators (U+2028/9), zero-width and invisible characters (U+00AD, U+200B–D,
/// U+2060–4, U+FEFF) and bytes that are not valid UTF-8. Everything else is kept, so "José
/// Pérez" reads as written. A result longer than `maxChars` characters (code points; an
/// escaped character counts as its hex pairs) is shortened with "…", never inside a UTF-8
/// sequence or an escape, so the result has at most `maxChars` characters.
std::string safeText(std::string_view text, std::size_t maxChars, Shorten where = Shorten::End);

/// Lengths used for the prompt's fields, in characters (docs/security.md, "Text from outside").
inline constexpr std::size_t kShownFileName = 80;
inline constexpr std::size_t kShownOrigin = 120;
inline constexpr std::size_t kShownSubject = 160;
inline constexpr std::size_t kShownLabel = 60;

}  // namespace firmante::prompt
