#include "firmante/pkcs11/Challenge.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/pkcs11/OpenSsl.h"
#include "firmante/pkcs11/TokenSigner.h"

namespace firmante::pkcs11 {

namespace {

// The table's row for the key's type (RS256 for any RSA size; P-384 signs with SHA-384 so the
// hash matches the curve's strength).
const KeyTraits& traitsFor(const EVP_PKEY* key) {
    const KeyTraits* traits = familyTraitsOf(key);
    if (traits == nullptr)
        throw Error(Reason::MechanismInvalid, "unsupported key type for a challenge signature");
    return *traits;
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
    const KeyTraits& traits = traitsFor(key);
    out.algorithm = traits.jwsAlgorithm;
    out.signature = signData(key, traits.challengeDigest(), message);
    return out;
}

bool verifyChallenge(EVP_PKEY* publicKey, std::string_view origin,
                     std::span<const unsigned char> nonce,
                     std::span<const unsigned char> signature) {
    Bytes message = challengeMessage(origin, nonce);
    const KeyTraits* traits = familyTraitsOf(publicKey);
    if (traits == nullptr) return false;
    OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
    bool ok = ctx &&
              EVP_DigestVerifyInit(ctx.get(), nullptr, traits->challengeDigest(), nullptr,
                                   publicKey) == 1 &&
              EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                               message.size()) == 1;
    ERR_clear_error();
    return ok;
}

}  // namespace firmante::pkcs11
