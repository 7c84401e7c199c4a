#pragma once

#include <string_view>
#include <utility>

namespace firmante::cli {

/// The texts of `firmante doctor` (Spanish, English) for `key`, or nullptr. tr() looks here after
/// the main table; they live apart only to keep each table a readable size.
const std::pair<const char*, const char*>* doctorText(std::string_view key);

}  // namespace firmante::cli
