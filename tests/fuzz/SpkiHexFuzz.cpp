// The hand-written DER walk behind the letter's key text (firmante::pkcs11::spkiHex), with
// OpenSSL's X509_PUBKEY decoder as the independent observer. Properties: malformed DER is refused
// with pkcs11::Error, never read out of bounds; the text is lower-case hex pairs separated by
// single spaces and names bytes that occur in the input; for every canonical DER
// SubjectPublicKeyInfo OpenSSL accepts, spkiHex succeeds and its BIT STRING carries exactly
// OpenSSL's public key bytes.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "FuzzCheck.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"

namespace {

std::vector<unsigned char> fromHexPairs(const std::string& text) {
    FUZZ_CHECK(text.size() % 3 == 2);
    std::vector<unsigned char> out;
    for (std::size_t i = 0; i < text.size(); i += 3) {
        if (i + 2 < text.size()) FUZZ_CHECK(text[i + 2] == ' ');
        auto digit = [](char c) {
            FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
            return c <= '9' ? c - '0' : c - 'a' + 10;
        };
        out.push_back(static_cast<unsigned char>(digit(text[i]) * 16 + digit(text[i + 1])));
    }
    return out;
}

// The public key bytes OpenSSL finds, when `der` is exactly one canonical SubjectPublicKeyInfo.
bool opensslKey(std::span<const unsigned char> der, std::vector<unsigned char>& key) {
    const unsigned char* p = der.data();
    X509_PUBKEY* pub = d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
    if (!pub) return false;
    bool ok = p == der.data() + der.size();
    unsigned char* again = nullptr;
    const int len = ok ? i2d_X509_PUBKEY(pub, &again) : -1;
    ok = ok && len == static_cast<int>(der.size()) && std::equal(der.begin(), der.end(), again);
    const unsigned char* bits = nullptr;
    int bitsLen = 0;
    if (ok && X509_PUBKEY_get0_param(nullptr, &bits, &bitsLen, nullptr, pub) == 1)
        key.assign(bits, bits + bitsLen);
    else
        ok = false;
    OPENSSL_free(again);
    X509_PUBKEY_free(pub);
    return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const unsigned char> der(data, size);
    std::vector<unsigned char> expected;
    const bool canonical = opensslKey(der, expected);
    std::string hex;
    try {
        hex = firmante::pkcs11::spkiHex(der);
    } catch (const firmante::pkcs11::Error& e) {
        FUZZ_CHECK(e.reason() == firmante::pkcs11::Reason::InvalidParams);
        FUZZ_CHECK(!canonical);
        return 0;
    }
    const auto tlv = fromHexPairs(hex);
    FUZZ_CHECK(tlv.size() >= 2 && tlv[0] == 0x03);
    FUZZ_CHECK(std::search(der.begin(), der.end(), tlv.begin(), tlv.end()) != der.end());
    if (canonical) {
        // TLV = tag, length, unused-bits byte, key: the key is the tail.
        FUZZ_CHECK(tlv.size() > expected.size());
        FUZZ_CHECK(std::equal(expected.begin(), expected.end(), tlv.end() - expected.size()));
    }
    return 0;
}
