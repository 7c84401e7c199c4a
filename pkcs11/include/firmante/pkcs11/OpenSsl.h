#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/Types.h"

namespace firmante::pkcs11 {

/// Frees an OpenSSL object with its own free function: one deleter for every type, so an owner is
/// one line (`OpenSslPtr<X509_REQ, X509_REQ_free>`) and costs no function-pointer member.
template <auto FreeFn>
struct OpenSslDeleter {
    template <class T>
    void operator()(T* p) const noexcept {
        FreeFn(p);
    }
};

/// A std::unique_ptr that frees its object with `FreeFn`.
template <class T, auto FreeFn>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<FreeFn>>;

/// RAII owners for the OpenSSL objects this library hands out.
using EvpPkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using X509NamePtr = OpenSslPtr<X509_NAME, X509_NAME_free>;
using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using CmsPtr = OpenSslPtr<CMS_ContentInfo, CMS_ContentInfo_free>;

/// The DER encoding of `object` by its OpenSSL `i2d` function (`toDer(cert, i2d_X509,
/// "i2d_X509")`): the one place that sizes, allocates and encodes. Throws Error(Internal) naming
/// `what` when OpenSSL cannot encode it.
template <class T, class I2d>
Bytes toDer(const T* object, I2d i2d, const char* what) {
    const int size = i2d(object, nullptr);
    if (size <= 0) throwOpenSsl(Reason::Internal, what);
    Bytes out(static_cast<std::size_t>(size));
    unsigned char* p = out.data();
    i2d(object, &p);
    return out;
}

}  // namespace firmante::pkcs11
