#pragma once

#include <string_view>

namespace firmante::nm {

/// True if `bytes` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates
/// (U+D800–U+DFFF), nothing above U+10FFFF, no truncated sequence. A body that fails this is
/// reported as PARSE_ERROR by whoever parses it: JSON text must be UTF-8 (RFC 8259 §8.1).
bool utf8Valid(std::string_view bytes) noexcept;

}  // namespace firmante::nm
