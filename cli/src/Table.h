#pragma once

#include <string>
#include <utility>
#include <vector>

namespace firmante::cli {

/// A plain-text table for people: left-aligned columns sized to their widest cell (counted in
/// characters, not bytes, so "Número de serie" lines up), two spaces apart.
class Table {
  public:
    explicit Table(std::vector<std::string> headers);
    void add(std::vector<std::string> row);
    std::string render() const;

    /// "Label:  value" lines with the labels padded to one width, indented by `indent`.
    static std::string record(const std::vector<std::pair<std::string, std::string>>& fields,
                              int indent = 2);

  private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace firmante::cli
