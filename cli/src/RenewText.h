#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace firmante::cli {

/// The texts of `firmante renew` (es-MX first, English with LANG=en), kept apart from the other
/// verbs' table so the renewal's wording lives next to its steps. Same {0}, {1}… arguments as tr().
std::string renewText(std::string_view key, std::initializer_list<std::string> args = {});

}  // namespace firmante::cli
