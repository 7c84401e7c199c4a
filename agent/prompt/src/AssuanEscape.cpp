#include "firmante/prompt/AssuanEscape.h"

#include "firmante/pkcs11/Error.h"

namespace firmante::prompt {

namespace {

int hexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

template <typename Append>
void decode(std::string_view data, Append append) {
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] != '%') {
            append(data[i]);
            continue;
        }
        if (i + 2 >= data.size()) {
            throw pkcs11::Error(pkcs11::Reason::Internal, "malformed escape in pinentry data");
        }
        const int hi = hexValue(data[i + 1]);
        const int lo = hexValue(data[i + 2]);
        if (hi < 0 || lo < 0) {
            throw pkcs11::Error(pkcs11::Reason::Internal, "malformed escape in pinentry data");
        }
        append(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
}

}  // namespace

std::string assuanEscape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '%':
                out += "%25";
                break;
            case '\r':
                out += "%0D";
                break;
            case '\n':
                out += "%0A";
                break;
            default:
                out += c;
        }
    }
    return out;
}

void assuanDecodeInto(std::string_view data, pkcs11::Secret& out) {
    decode(data, [&out](char c) { out.push_back(c); });
}

std::string assuanDecode(std::string_view data) {
    std::string out;
    decode(data, [&out](char c) { out.push_back(c); });
    return out;
}

}  // namespace firmante::prompt
