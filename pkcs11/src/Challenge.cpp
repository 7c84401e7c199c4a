#include "firmante/pkcs11/Challenge.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/TokenSigner.h"

namespace firmante::pkcs11 {

namespace {

const EVP_MD* digestFor(const EVP_PKEY* key) {
    // P-384 keys sign with SHA-384 so the hash matches the curve's strength (ES384).
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC && EVP_PKEY_get_bits(key) == 384)
        return EVP_sha384();
    return EVP_sha256();
}

std::string algorithmFor(const EVP_PKEY* key) {
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) return "RS256";
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC)
        return EVP_PKEY_get_bits(key) == 384 ? "ES384" : "ES256";
    throw Error(Reason::MechanismInvalid, "unsupported key type for a challenge signature");
}

}  // namespace

Bytes challengeMessage(std::string_view origin, std::span<const unsigned char> nonce) {
    Bytes message = sha256({reinterpret_cast<const unsigned char*>(origin.data()), origin.size()});
    Bytes nonceHash = sha256(nonce);
    message.insert(message.end(), nonceHash.begin(), nonceHash.end());
    return message;
}

ChallengeSignature signChallenge(EVP_PKEY* key, std::string_view origin,
                                 std::span<const unsigned char> nonce) {
    Bytes message = challengeMessage(origin, nonce);
    ChallengeSignature out;
    out.algorithm = algorithmFor(key);
    out.signature = signData(key, digestFor(key), message);
    return out;
}

bool verifyChallenge(EVP_PKEY* publicKey, std::string_view origin,
                     std::span<const unsigned char> nonce,
                     std::span<const unsigned char> signature) {
    Bytes message = challengeMessage(origin, nonce);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    bool ok =
        EVP_DigestVerifyInit(ctx.get(), nullptr, digestFor(publicKey), nullptr, publicKey) == 1 &&
        EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                         message.size()) == 1;
    ERR_clear_error();
    return ok;
}

}  // namespace firmante::pkcs11
