// Token: deleting keys and certificates.
#include "firmante/pkcs11/Token.h"

#include "TokenInternal.h"

#include <algorithm>
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pkcs12.h>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Error.h"
#include "firmante/pkcs11/KeyTraits.h"
#include "firmante/pkcs11/Mechanisms.h"
#include "firmante/pkcs11/OpenSslBridge.h"
#include "firmante/pkcs11/TokenSigner.h"

namespace firmante::pkcs11 {

using namespace internal;

void Token::deleteKey(const Uri& keyUri) {
    KeyInfo k = key(keyUri);
    if (k.id.empty()) throw Error(Reason::KeyNotFound, "refusing to delete a key without CKA_ID");
    for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
        auto found =
            session_->find({attr(CKA_CLASS, &cls), attrBytes(CKA_ID, k.id.data(), k.id.size())});
        for (auto h : found) session_->destroyObject(h);
    }
}

std::size_t Token::deleteKeyObjectsLabelled(const std::string& label,
                                            const std::vector<Bytes>& keepIds) {
    if (label.empty()) throw Error(Reason::InvalidParams, "refusing to delete unlabelled keys");
    std::size_t deleted = 0;
    for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
        for (auto h : session_->find(
                 {attr(CKA_CLASS, &cls), attrBytes(CKA_LABEL, label.data(), label.size())})) {
            const Bytes id = session_->attribute(h, CKA_ID).value_or(Bytes{});
            if (!id.empty() && std::find(keepIds.begin(), keepIds.end(), id) != keepIds.end())
                continue;
            session_->destroyObject(h);
            ++deleted;
        }
    }
    return deleted;
}

void Token::deleteCertificate(const Uri& certificateUri) {
    CertificateInfo c = certificate(certificateUri);
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    for (auto h :
         session_->find({attr(CKA_CLASS, &cls), attrBytes(CKA_VALUE, c.der.data(), c.der.size())}))
        session_->destroyObject(h);
}

}  // namespace firmante::pkcs11
