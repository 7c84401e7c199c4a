#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "firmante/pkcs11/Uri.h"

namespace firmante::agent {

/// Validates a method's `params` before any token work: types, lengths, base64, URI syntax.
/// Every check throws RpcError(INVALID_PARAMS) (or TOO_LARGE for a size limit) naming the member.
class ParamReader {
  public:
    /// `params` may be absent (null) or an object; anything else is INVALID_PARAMS.
    explicit ParamReader(const nlohmann::json& params);

    /// Refuses members not in `allowed` (a typo must not silently change behaviour).
    void allowOnly(std::initializer_list<std::string_view> allowed) const;

    bool has(std::string_view name) const;
    std::string string(std::string_view name, std::size_t maxBytes, std::size_t minBytes = 1) const;
    std::optional<std::string> optionalString(std::string_view name, std::size_t maxBytes) const;
    bool boolean(std::string_view name) const;
    /// A `pkcs11:` URI (RFC 7512 syntax, at most 4 KiB).
    pkcs11::Uri uri(std::string_view name) const;
    /// Base64 decoded to between `minBytes` and `maxBytes`; the size is checked before decoding.
    std::vector<unsigned char> base64(std::string_view name, std::size_t minBytes,
                                      std::size_t maxBytes) const;
    /// A display file name: 1–255 bytes, no control characters, no path separators.
    std::string fileName(std::string_view name) const;
    /// An identifier: 1–128 of [A-Za-z0-9._-].
    std::string identifier(std::string_view name) const;
    const nlohmann::json& raw(std::string_view name) const;

  private:
    const nlohmann::json* find(std::string_view name) const;
    const nlohmann::json* object_;
};

}  // namespace firmante::agent
