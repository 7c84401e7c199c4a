#include "firmante/nm/JsonRpcScan.h"

#include <cstddef>

namespace firmante::nm {

namespace {

// A forward-only cursor over JSON text that can skip values without materialising them.
class Scanner {
  public:
    explicit Scanner(std::string_view text) : text_(text) {}

    void skipSpace() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                       text_[pos_] == '\n' || text_[pos_] == '\r'))
            ++pos_;
    }
    bool consume(char c) {
        skipSpace();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    char peek() {
        skipSpace();
        return pos_ < text_.size() ? text_[pos_] : '\0';
    }
    std::size_t pos() const { return pos_; }
    std::string_view slice(std::size_t from) const { return text_.substr(from, pos_ - from); }

    // Skips a string starting at the current '"'. Returns false if malformed.
    bool skipString() {
        if (!consume('"')) return false;
        while (pos_ < text_.size()) {
            const char c = text_[pos_++];
            if (c == '\\') {
                if (pos_ >= text_.size()) return false;
                ++pos_;
            } else if (c == '"') {
                return true;
            }
        }
        return false;
    }

    // Skips a number or a literal (true/false/null): a run of characters that cannot end one.
    // It must be followed by a delimiter: in a cut-off prefix "12" may really be "123".
    bool skipScalar() {
        skipSpace();
        const std::size_t start = pos_;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r')
                break;
            ++pos_;
        }
        return pos_ > start && pos_ < text_.size();
    }

    // Skips any value, nested containers included, tracking only depth and strings.
    bool skipValue() {
        const char c = peek();
        if (c == '"') return skipString();
        if (c != '{' && c != '[') return skipScalar();
        std::size_t depth = 0;
        while (pos_ < text_.size()) {
            const char d = text_[pos_];
            if (d == '"') {
                if (!skipString()) return false;
                continue;
            }
            ++pos_;
            if (d == '{' || d == '[') {
                ++depth;
            } else if (d == '}' || d == ']') {
                if (--depth == 0) return true;
            }
        }
        return false;
    }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> findTopLevelId(std::string_view json) {
    Scanner s(json);
    if (!s.consume('{')) return std::nullopt;
    if (s.consume('}')) return std::nullopt;
    for (;;) {
        if (s.peek() != '"') return std::nullopt;
        const std::size_t keyStart = s.pos();
        if (!s.skipString()) return std::nullopt;
        const bool isId = s.slice(keyStart) == "\"id\"";
        if (!s.consume(':')) return std::nullopt;
        s.skipSpace();
        const std::size_t valueStart = s.pos();
        const char first = s.peek();
        if (!s.skipValue()) return std::nullopt;
        if (isId) {
            if (first == '{' || first == '[' || first == 't' || first == 'f') return std::nullopt;
            return std::string(s.slice(valueStart));
        }
        if (s.consume(',')) continue;
        return std::nullopt;  // '}' (no id) or malformed
    }
}

}  // namespace firmante::nm
