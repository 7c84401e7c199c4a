#include "TokenInternal.h"

#include <algorithm>

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/KeyTraits.h"

namespace firmante::pkcs11::internal {

// CKA_EC_POINT is a DER OCTET STRING around the point on most tokens (SoftHSM, OpenSC); accept
// the bare point too, as some tokens give it.
Bytes unwrapEcPoint(const Bytes& value) {
    if (value.size() >= 2 && value[0] == 0x04) {
        std::size_t len = value[1], header = 2;
        if (len & 0x80) {
            std::size_t n = len & 0x7f;
            if (n < 1 || n > 2 || value.size() < 2 + n) return value;
            len = 0;
            for (std::size_t i = 0; i < n; ++i) len = (len << 8) | value[2 + i];
            header = 2 + n;
        }
        if (header + len == value.size()) return Bytes(value.begin() + header, value.end());
    }
    return value;
}

Bytes wrapOctetString(const Bytes& point) {
    Bytes out{0x04};
    if (point.size() < 0x80) {
        out.push_back(static_cast<unsigned char>(point.size()));
    } else {
        out.push_back(0x81);
        out.push_back(static_cast<unsigned char>(point.size()));
    }
    out.insert(out.end(), point.begin(), point.end());
    return out;
}

// Builds a public key from the parameters `fill` pushes (OpenSSL 3's provider-neutral way).
template <typename Fill>
EvpPkeyPtr publicKeyFromParams(const char* algorithm, Fill fill) {
    OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> bld(OSSL_PARAM_BLD_new());
    fill(bld.get());
    OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(bld.get()));
    OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free> ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr));
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        throwOpenSsl(Reason::Internal, std::string("cannot rebuild the ") + algorithm +
                                           " public key read from the token");
    return EvpPkeyPtr(key);
}

EvpPkeyPtr rsaPublicKey(const Bytes& modulus, const Bytes& exponent) {
    BnPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
    BnPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
    return publicKeyFromParams("RSA", [&](OSSL_PARAM_BLD* bld) {
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get());
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get());
    });
}

EvpPkeyPtr ecPublicKey(const Bytes& params, const Bytes& point) {
    const KeyTraits* traits = traitsOfEcParams(params);
    if (traits == nullptr) throw Error(Reason::MechanismInvalid, "unsupported EC curve on token");
    const std::string curve(traits->curveName);
    return publicKeyFromParams("EC", [&](OSSL_PARAM_BLD* bld) {
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve.c_str(), 0);
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    });
}

std::string algorithmName(const EVP_PKEY* key) {
    if (const KeyTraits* traits = keyTraitsOf(key)) return std::string(traits->name);
    const std::string bits = std::to_string(EVP_PKEY_get_bits(key));
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) return "rsa-" + bits;
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) return "ec-" + bits;
    return "unknown";
}

Bytes bnBytes(const BIGNUM* bn) {
    Bytes out(BN_num_bytes(bn));
    BN_bn2bin(bn, out.data());
    return out;
}

SecureBytes secureBnBytes(const BIGNUM* bn, std::size_t pad) {
    std::size_t n = std::max<std::size_t>(BN_num_bytes(bn), pad);
    SecureBytes out(n);
    BN_bn2binpad(bn, out.data(), static_cast<int>(n));
    return out;
}

// Return values by which modules reject a template they could satisfy without its optional parts.
bool isTemplateRejection(CK_RV rv) {
    return rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_VALUE_INVALID ||
           rv == CKR_TEMPLATE_INCONSISTENT || rv == CKR_GENERAL_ERROR ||
           rv == CKR_FUNCTION_FAILED || rv == CKR_ATTRIBUTE_READ_ONLY;
}

}  // namespace firmante::pkcs11::internal
