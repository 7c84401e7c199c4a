#include "firmante/nm/ExtensionId.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace firmante::nm {

namespace {
constexpr std::string_view kChromePrefix = "chrome-extension://";
constexpr std::string_view kParentWindow = "--parent-window=";
constexpr std::size_t kExtensionIdLength = 32;
}  // namespace

std::string extensionIdFromPublicKeyDer(std::span<const std::uint8_t> der) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digestLength = 0;
    if (EVP_Digest(der.data(), der.size(), digest.data(), &digestLength, EVP_sha256(), nullptr) !=
            1 ||
        digestLength < kExtensionIdLength / 2) {
        throw std::runtime_error("SHA-256 of the extension public key failed");
    }
    // Chromium writes each nibble as 'a' + value ("mpdecimal"), so the id is 0-f mapped to a-p.
    std::string id;
    id.reserve(kExtensionIdLength);
    for (std::size_t i = 0; i < kExtensionIdLength / 2; ++i) {
        id.push_back(static_cast<char>('a' + (digest[i] >> 4)));
        id.push_back(static_cast<char>('a' + (digest[i] & 0x0F)));
    }
    return id;
}

bool isValidChromiumExtensionId(std::string_view id) noexcept {
    return id.size() == kExtensionIdLength &&
           std::all_of(id.begin(), id.end(), [](char c) { return c >= 'a' && c <= 'p'; });
}

bool isValidFirefoxAddonId(std::string_view id) noexcept {
    return !id.empty() && id.size() <= 255 &&
           std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

CallerInfo parseCallerArguments(std::span<const std::string_view> args) {
    std::vector<std::string_view> kept;
    for (std::string_view arg : args) {
        // Chromium on Windows appends the calling window's handle; it says nothing about who
        // the caller is.
        if (arg.starts_with(kParentWindow)) continue;
        kept.push_back(arg);
    }
    if (kept.size() == 1 && kept[0].starts_with(kChromePrefix)) {
        std::string_view rest = kept[0].substr(kChromePrefix.size());
        if (!rest.ends_with('/')) {
            throw std::invalid_argument(
                "caller origin must end with '/': chrome-extension://<id>/");
        }
        rest.remove_suffix(1);
        if (!isValidChromiumExtensionId(rest)) {
            throw std::invalid_argument("malformed Chromium extension id in the caller origin");
        }
        return CallerInfo{Browser::Chromium, std::string(rest), {}};
    }
    if (kept.size() == 2 && !kept[0].starts_with(kChromePrefix)) {
        if (!isValidFirefoxAddonId(kept[1])) {
            throw std::invalid_argument("malformed Firefox add-on id");
        }
        return CallerInfo{Browser::Firefox, std::string(kept[1]), std::string(kept[0])};
    }
    throw std::invalid_argument(
        "expected 'chrome-extension://<id>/' (Chromium) or '<manifest> <add-on id>' (Firefox)");
}

bool callerAllowed(const CallerInfo& caller, const std::vector<std::string>& chromiumIds,
                   const std::vector<std::string>& firefoxIds) noexcept {
    const auto& allowed = caller.browser == Browser::Chromium ? chromiumIds : firefoxIds;
    return std::find(allowed.begin(), allowed.end(), caller.extensionId) != allowed.end();
}

}  // namespace firmante::nm
