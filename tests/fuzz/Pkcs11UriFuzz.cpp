// The RFC 7512 parser (firmante::pkcs11::Uri::parse) on any text a page or a CLI user can send.
// Properties: a refusal is always pkcs11::Error (INVALID_PARAMS on the wire), never another
// exception; an accepted URI prints (str()) as a URI that parses back to the same value, and its
// canonical text is stable; a query part ("?pin-value=") is never accepted.
#include <cstdint>
#include <string_view>

#include "FuzzCheck.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Uri.h"

using firmante::pkcs11::Uri;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Uri uri;
    try {
        uri = Uri::parse(text);
    } catch (const firmante::pkcs11::Error& e) {
        FUZZ_CHECK(e.reason() == firmante::pkcs11::Reason::InvalidParams);
        return 0;
    }
    FUZZ_CHECK(firmante::pkcs11::isPkcs11Uri(text));
    FUZZ_CHECK(text.find('?') == std::string_view::npos);
    const std::string canonical = uri.str();
    FUZZ_CHECK(firmante::pkcs11::isPkcs11Uri(canonical));
    // The canonical form percent-encodes the id fully, so it may outgrow the 4 KiB input limit.
    if (canonical.size() <= 4096) {
        const Uri again = Uri::parse(canonical);
        FUZZ_CHECK(again == uri);
        FUZZ_CHECK(again.str() == canonical);
    }
    return 0;
}
