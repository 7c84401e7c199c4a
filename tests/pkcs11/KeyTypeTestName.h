#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "firmante/pkcs11/KeyTraits.h"

namespace firmante::testing {

/// "ec_p256" for KeyType::EcP256: a key type as part of a GoogleTest name (no '-').
inline std::string keyTypeTestName(const ::testing::TestParamInfo<pkcs11::KeyType>& info) {
    std::string name(pkcs11::keyTypeName(info.param));
    for (auto& c : name)
        if (c == '-') c = '_';
    return name;
}

/// Every key type of the table, in its order.
inline std::vector<pkcs11::KeyType> allKeyTypes() {
    std::vector<pkcs11::KeyType> out;
    for (const auto& row : pkcs11::allKeyTraits()) out.push_back(row.type);
    return out;
}

}  // namespace firmante::testing
