#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/testing/FaultFiles.h"
#include "firmante/testing/SoftHsmToken.h"

namespace firmante::testing {

/// The bytes of a text, as the signing functions take them.
inline std::span<const unsigned char> bytesOf(const std::string& s) {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

/// A private SoftHSM token, the module loaded on it, and a Token logged in with the user PIN.
class TokenFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        softhsm_ = std::make_unique<SoftHsmToken>("Firmante Test");
        module_ = pkcs11::Module::load(SoftHsmToken::modulePath());
        token_.emplace(pkcs11::Token::open(module_, "Firmante Test"));
        token_->login(pkcs11::Secret(SoftHsmToken::kUserPin));
    }
    void TearDown() override {
        token_.reset();
        module_.reset();
    }
    pkcs11::Token& token() { return *token_; }

    std::unique_ptr<SoftHsmToken> softhsm_;
    std::shared_ptr<pkcs11::Module> module_;
    std::optional<pkcs11::Token> token_;
};

/// A private SoftHSM token labelled `label`, reached through the fault-injecting module
/// (tests/fault-module) that wraps SoftHSM, and a Token opened on it, not logged in. faults_
/// holds the module's words and log.
class FaultTokenFixture : public ::testing::Test {
  protected:
    explicit FaultTokenFixture(std::string label) : label_(std::move(label)) {}
    void SetUp() override {
        softhsm_.emplace(label_);
        faults_.emplace(softhsm_->dir());
        module_ = pkcs11::Module::load(FIRMANTE_FAULT_MODULE);
        token_.emplace(pkcs11::Token::open(module_, label_));
    }
    void TearDown() override {
        token_.reset();
        module_.reset();
        faults_.reset();
    }
    void login() { token_->login(pkcs11::Secret(SoftHsmToken::kUserPin)); }

    std::string label_;
    std::optional<SoftHsmToken> softhsm_;
    std::optional<FaultFiles> faults_;
    std::shared_ptr<pkcs11::Module> module_;
    std::optional<pkcs11::Token> token_;
};

}  // namespace firmante::testing
