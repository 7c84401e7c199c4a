#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace firmante::nm {

/// The raw JSON text of the top-level `"id"` member of a JSON object (`7`, `"abc"`, `null`),
/// found by one linear scan without building a document — cheap enough for a multi-megabyte
/// response that is about to be dropped. `std::nullopt` if `json` is not an object, has no
/// top-level `id`, its `id` is not a string/number/null, or the text is malformed before it.
std::optional<std::string> findTopLevelId(std::string_view json);

}  // namespace firmante::nm
