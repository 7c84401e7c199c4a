#include "Table.h"

#include <algorithm>

#include "firmante/prompt/SafeText.h"

namespace firmante::cli {
namespace {

std::size_t displayWidth(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xc0) != 0x80) ++n;  // count UTF-8 lead bytes only
    return n;
}

// Cells show what tokens, certificates and files carry (labels, subjects, names): escaped so a
// bidi override or a line separator in them cannot rearrange the table. Long enough for a path.
constexpr std::size_t kMaxCell = 4096;

std::string pad(const std::string& s, std::size_t width) {
    std::size_t w = displayWidth(s);
    return w >= width ? s : s + std::string(width - w, ' ');
}

}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add(std::vector<std::string> row) {
    row.resize(headers_.size());
    for (auto& cell : row) cell = prompt::safeText(cell, kMaxCell);
    rows_.push_back(std::move(row));
}

std::string Table::render() const {
    std::vector<std::size_t> widths(headers_.size());
    for (std::size_t c = 0; c < headers_.size(); ++c) {
        widths[c] = displayWidth(headers_[c]);
        for (const auto& row : rows_) widths[c] = std::max(widths[c], displayWidth(row[c]));
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            bool last = c + 1 == cells.size();
            out += last ? cells[c] : pad(cells[c], widths[c]) + "  ";
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };
    std::string out = line(headers_);
    std::vector<std::string> rule;
    for (auto w : widths) rule.emplace_back(w, '-');
    out += line(rule);
    for (const auto& row : rows_) out += line(row);
    return out;
}

std::string Table::record(const std::vector<std::pair<std::string, std::string>>& fields,
                          int indent) {
    std::size_t width = 0;
    for (const auto& [label, value] : fields) width = std::max(width, displayWidth(label) + 1);
    std::string out;
    for (const auto& [label, value] : fields)
        out += std::string(static_cast<std::size_t>(indent), ' ') + pad(label + ":", width) + "  " +
               prompt::safeText(value, kMaxCell) + "\n";
    return out;
}

}  // namespace firmante::cli
