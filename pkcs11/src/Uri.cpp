#include "firmante/pkcs11/Uri.h"

#include <cctype>

#include "firmante/pkcs11/Error.h"

namespace firmante::pkcs11 {

namespace {

constexpr std::size_t kMaxUriLength = 4096;

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percentDecode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%') {
            if (i + 2 >= in.size())
                throw Error(Reason::InvalidParams, "PKCS#11 URI: truncated percent escape");
            int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
            if (hi < 0 || lo < 0)
                throw Error(Reason::InvalidParams, "PKCS#11 URI: bad percent escape");
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(in[i]);
        }
    }
    return out;
}

// RFC 7512 pchar minus the characters that delimit attributes.
bool isSafe(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' ||
           c == '[' || c == ']' || c == '@' || c == '!' || c == '$' || c == '\'' || c == '(' ||
           c == ')' || c == '*' || c == '+' || c == ',' || c == '&';
}

std::string percentEncode(std::string_view in, bool all) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : in) {
        if (!all && isSafe(c)) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace

bool isPkcs11Uri(std::string_view text) noexcept {
    return text.starts_with("pkcs11:");
}

Uri Uri::parse(std::string_view text) {
    if (text.size() > kMaxUriLength)
        throw Error(Reason::InvalidParams, "PKCS#11 URI longer than 4096 characters");
    if (!isPkcs11Uri(text))
        throw Error(Reason::InvalidParams, "not a PKCS#11 URI (it must start with \"pkcs11:\")");
    std::string_view rest = text.substr(7);
    if (rest.find('?') != std::string_view::npos)
        throw Error(Reason::InvalidParams,
                    "PKCS#11 URI query attributes are not accepted (a PIN never travels in a URI)");
    Uri uri;
    while (!rest.empty()) {
        auto semi = rest.find(';');
        std::string_view part = rest.substr(0, semi);
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        if (eq == std::string_view::npos)
            throw Error(Reason::InvalidParams, "PKCS#11 URI attribute without a value");
        std::string_view name = part.substr(0, eq);
        std::string value = percentDecode(part.substr(eq + 1));
        if (name == "token")
            uri.token = value;
        else if (name == "manufacturer")
            uri.manufacturer = value;
        else if (name == "model")
            uri.model = value;
        else if (name == "serial")
            uri.serial = value;
        else if (name == "object")
            uri.object = value;
        else if (name == "id")
            uri.id = std::vector<unsigned char>(value.begin(), value.end());
        else if (name == "type") {
            if (value != "private" && value != "public" && value != "cert")
                throw Error(Reason::InvalidParams,
                            "PKCS#11 URI type must be private, public or cert");
            uri.type = value;
        } else if (name == "library-manufacturer" || name == "library-description" ||
                   name == "library-version" || name == "slot-description" ||
                   name == "slot-manufacturer" || name == "slot-id") {
            // Valid RFC 7512 attributes that do not select anything Firmante distinguishes.
        } else {
            throw Error(Reason::InvalidParams,
                        "unknown PKCS#11 URI attribute \"" + std::string(name) + "\"");
        }
    }
    return uri;
}

std::string Uri::str() const {
    std::string out = "pkcs11:";
    bool first = true;
    auto add = [&](const char* name, const std::string& value, bool all) {
        if (!first) out.push_back(';');
        first = false;
        out += name;
        out.push_back('=');
        out += percentEncode(value, all);
    };
    if (token) add("token", *token, false);
    if (manufacturer) add("manufacturer", *manufacturer, false);
    if (model) add("model", *model, false);
    if (serial) add("serial", *serial, false);
    if (object) add("object", *object, false);
    if (id) add("id", std::string(id->begin(), id->end()), true);
    if (type) add("type", *type, false);
    return out;
}

bool Uri::matchesToken(std::string_view label, std::string_view manufacturer_,
                       std::string_view model_, std::string_view serial_) const {
    return (!token || *token == label) && (!manufacturer || *manufacturer == manufacturer_) &&
           (!model || *model == model_) && (!serial || *serial == serial_);
}

}  // namespace firmante::pkcs11
