#pragma once

#include "firmante/pkcs11/Base64.h"

namespace firmante::agent {

// One strict codec for the whole tree lives in the pkcs11 library.
using pkcs11::base64Decode;
using pkcs11::base64DecodedSize;
using pkcs11::base64Encode;

}  // namespace firmante::agent
