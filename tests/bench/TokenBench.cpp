// Our signing paths against the raw Cryptoki call on the same SoftHSM token, in the same run.
// What matters is the ratio (overhead of libp11 + OpenSSL + CMS over C_Sign), not the times.
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TestCa.h"

using namespace firmante::pkcs11;
using firmante::testing::SoftHsmToken;
using firmante::testing::TestCa;

namespace {

struct Bench {
    std::unique_ptr<SoftHsmToken> softhsm = std::make_unique<SoftHsmToken>("Bench");
    std::shared_ptr<Module> module = Module::load(SoftHsmToken::modulePath());
    std::optional<Token> token;
    TestCa ca;
    KeyInfo rsa, ec;
    X509Ptr rsaCert, ecCert;

    Bench() {
        token.emplace(Token::open(module, "Bench"));
        token->login(Secret(SoftHsmToken::kUserPin));
        rsa = token->generateKeyPair(KeyType::Rsa2048, "rsa");
        ec = token->generateKeyPair(KeyType::EcP256, "ec");
        rsaCert = decodeCertificate(token->storeCertificate(ca.issue(rsa.spki, "/CN=rsa")).der);
        ecCert = decodeCertificate(token->storeCertificate(ca.issue(ec.spki, "/CN=ec")).der);
    }
    static Bench& get() {
        static Bench b;
        return b;
    }
    const KeyInfo& key(bool isEc) const { return isEc ? ec : rsa; }
};

CK_OBJECT_HANDLE findPrivate(Token& token, const Bytes& id) {
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    auto found = token.session().find(
        {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, const_cast<unsigned char*>(id.data()), id.size()}});
    return found.at(0);
}

// Baseline: C_SignInit + C_Sign over the 64-byte challenge message, hashing on the token.
void rawSign(benchmark::State& state, bool isEc) {
    auto& b = Bench::get();
    auto h = findPrivate(*b.token, b.key(isEc).id);
    CK_FUNCTION_LIST* api = b.module->api();
    // SoftHSM has no CKM_ECDSA_SHA256: for EC the baseline hashes in software (as libp11 does).
    CK_MECHANISM mech{isEc ? CKM_ECDSA : CKM_SHA256_RSA_PKCS, nullptr, 0};
    Bytes msg = challengeMessage("https://idse.example", Bytes(32, 7));
    unsigned char sig[512];
    for (auto _ : state) {
        CK_ULONG len = sizeof sig;
        Bytes input = isEc ? sha256(msg) : msg;
        FIRMANTE_CK(api, C_SignInit, b.token->session().handle(), &mech, h);
        FIRMANTE_CK(api, C_Sign, b.token->session().handle(), input.data(), input.size(), sig,
                    &len);
        benchmark::DoNotOptimize(len);
    }
}

// Ours: the agent's path for auth.sign_challenge — a fresh libp11 key handle per operation.
void challenge(benchmark::State& state, bool isEc) {
    auto& b = Bench::get();
    Bytes nonce(32, 7);
    for (auto _ : state) {
        auto pkey = b.token->privateKey(b.key(isEc));
        auto sig = signChallenge(pkey.get(), "https://idse.example", nonce);
        benchmark::DoNotOptimize(sig.signature.data());
    }
}

// Ours: a CAdES-BES detached CMS over a 100 KiB letter (hash + signed attributes + one C_Sign).
void cms(benchmark::State& state, bool isEc) {
    auto& b = Bench::get();
    Bytes letter(100 * 1024, 'x');
    for (auto _ : state) {
        auto pkey = b.token->privateKey(b.key(isEc));
        auto sig = signDetached(pkey.get(), isEc ? b.ecCert.get() : b.rsaCert.get(), letter);
        benchmark::DoNotOptimize(sig.der.data());
    }
}

}  // namespace

BENCHMARK_CAPTURE(rawSign, Rsa2048, false);
BENCHMARK_CAPTURE(challenge, Rsa2048, false);
BENCHMARK_CAPTURE(cms, Rsa2048, false);
BENCHMARK_CAPTURE(rawSign, EcP256, true);
BENCHMARK_CAPTURE(challenge, EcP256, true);
BENCHMARK_CAPTURE(cms, EcP256, true);

BENCHMARK_MAIN();
