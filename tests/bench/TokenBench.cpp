// Our signing paths against the raw Cryptoki call on the same SoftHSM token, in the same run.
// What matters is the ratio (overhead of our lookup + OpenSSL + CMS over C_Sign), not the times.
//
// Issue 11 §6: `firmante sign` as a whole process (what a person pays) on a token with 25 key
// pairs against a token with 1, next to what any PKCS#11 program pays on the same tokens
// (pkcs11-tool --sign as a process), SoftHSM's own C_Login and a bare C_Sign.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "firmante/pkcs11/Call.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/pkcs11/Challenge.h"
#include "firmante/pkcs11/Cms.h"
#include "firmante/pkcs11/Module.h"
#include "firmante/pkcs11/Token.h"
#include "firmante/testing/Process.h"
#include "firmante/testing/SoftHsmToken.h"
#include "firmante/testing/TempDir.h"
#include "firmante/testing/TestCa.h"

using namespace firmante::pkcs11;
using firmante::testing::SoftHsmToken;
using firmante::testing::TempDir;
using firmante::testing::TestCa;
namespace fs = std::filesystem;

namespace {

struct Softhsm;
struct Bench;
struct PairsToken;
// Made on first use, destroyed in main() in this order, sessions before the module: as
// function-local statics they would outlive SoftHSM's own statics and crash at exit.
std::map<int, std::unique_ptr<PairsToken>> pairsTokens;
std::unique_ptr<Bench> sharedBench;
std::unique_ptr<Softhsm> sharedSofthsm;

std::set<fs::path> tokenFolders(const fs::path& tokens) {
    std::set<fs::path> out;
    for (auto& e : fs::directory_iterator(tokens))
        if (e.is_directory()) out.insert(e.path());
    return out;
}

/// One SoftHSM folder for this process, made before the module is loaded (SoftHSM reads its
/// configuration once): the "Bench" token and the two tokens of the pairs benchmark. Each pairs
/// token's folder is remembered so it can be copied into a SoftHSM folder of its own for the
/// processes, which must not pay for loading the other tokens.
struct Softhsm {
    SoftHsmToken softhsm{"Bench"};
    std::map<int, fs::path> folderOf;  // pairs → the token's folder
    std::shared_ptr<Module> module;

    Softhsm() {
        for (int pairs : {1, 25}) {
            auto before = tokenFolders(softhsm.dir() / "tokens");
            softhsm.addToken("Pairs" + std::to_string(pairs));
            std::vector<fs::path> added;
            std::ranges::set_difference(tokenFolders(softhsm.dir() / "tokens"), before,
                                        std::back_inserter(added));
            if (added.size() != 1) throw std::runtime_error("cannot tell the new token's folder");
            folderOf[pairs] = added.front();
        }
        module = Module::load(SoftHsmToken::modulePath());
    }
    static Softhsm& get() {
        if (!sharedSofthsm) sharedSofthsm = std::make_unique<Softhsm>();
        return *sharedSofthsm;
    }
};

struct Bench {
    std::shared_ptr<Module> module = Softhsm::get().module;
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
        if (!sharedBench) sharedBench = std::make_unique<Bench>();
        return *sharedBench;
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

// A token with `pairs` RSA-2048 key pairs, the first with a certificate; the same token copied
// into a SoftHSM folder of its own (its own softhsm2.conf) for the processes.
struct PairsToken {
    int pairs;
    TempDir dir{"firmante-bench-pairs"};
    std::optional<Token> token;
    KeyInfo key;
    std::string certUri;
    std::string label;

    explicit PairsToken(int n) : pairs(n), label("Pairs" + std::to_string(n)) {
        auto& s = Softhsm::get();
        TestCa ca;
        token.emplace(Token::open(s.module, label));
        token->login(Secret(SoftHsmToken::kUserPin));
        key = token->generateKeyPair(KeyType::Rsa2048, "cuenta");
        for (int i = 1; i < pairs; ++i) token->generateKeyPair(KeyType::Rsa2048, "otra");
        certUri = token->storeCertificate(ca.issue(key.spki, "/CN=Cuenta")).uri.str();
        fs::create_directories(dir / "tokens");
        fs::copy(s.folderOf.at(pairs), dir / "tokens" / s.folderOf.at(pairs).filename(),
                 fs::copy_options::recursive);
        firmante::testing::writeFile((dir / "softhsm2.conf").string(),
                                     "directories.tokendir = " + (dir / "tokens").string() +
                                         "\nobjectstore.backend = file\nlog.level = ERROR\n");
        firmante::testing::writeFile((dir / "letter.pdf").string(), std::string(100 * 1024, 'x'));
    }
    static PairsToken& get(int pairs) {
        auto& p = pairsTokens[pairs];
        if (!p) p = std::make_unique<PairsToken>(pairs);
        return *p;
    }
    std::map<std::string, std::string> env() const {
        // No agent: the CLI talks to the token itself, as with --pin-fd.
        return {{"SOFTHSM2_CONF", (dir / "softhsm2.conf").string()},
                {"FIRMANTE_MODULE", SoftHsmToken::modulePath()},
                {"FIRMANTE_SOCKET", (dir / "no-agent.sock").string()},
                {"LANG", "C.UTF-8"},
                {"LC_ALL", "C.UTF-8"}};
    }
};

void runOrThrow(const std::vector<std::string>& argv, const std::string& input,
                const std::map<std::string, std::string>& env) {
    auto r = firmante::testing::run(argv, input, env);
    if (r.exitCode != 0) throw std::runtime_error(argv[0] + " failed: " + r.err + r.out);
}

#ifdef FIRMANTE_CLI
// `firmante sign` on the 100 KiB letter: the whole process, as a person pays it (module
// discovery and loading, C_Initialize, login, certificate and key lookup, hashing, C_Sign, CMS).
void cliSign(benchmark::State& state) {
    auto& p = PairsToken::get(static_cast<int>(state.range(0)));
    const std::string out = (p.dir / "letter.p7s").string();
    for (auto _ : state)
        runOrThrow({FIRMANTE_CLI, "sign", "--cert", p.certUri, "--in",
                    (p.dir / "letter.pdf").string(), "--out", out, "--pin-fd", "0", "--json"},
                   std::string(SoftHsmToken::kUserPin) + "\n", p.env());
}

#endif

// The same signature by OpenSC's pkcs11-tool, as a process on the same token: what any PKCS#11
// program pays there (C_Initialize, login, one C_FindObjects by CKA_ID, C_Sign).
void toolSign(benchmark::State& state) {
    auto& p = PairsToken::get(static_cast<int>(state.range(0)));
    const std::string out = (p.dir / "letter.sig").string();
    for (auto _ : state)
        runOrThrow({"pkcs11-tool", "--module", SoftHsmToken::modulePath(), "--token-label", p.label,
                    "--login", "--pin", SoftHsmToken::kUserPin, "--sign", "--mechanism",
                    "SHA256-RSA-PKCS", "--id", toHex(p.key.id), "--input-file",
                    (p.dir / "letter.pdf").string(), "--output-file", out},
                   {}, p.env());
}

// SoftHSM's C_Login + C_Logout in this process: login decrypts the token's private objects.
void tokenLogin(benchmark::State& state) {
    auto& p = PairsToken::get(static_cast<int>(state.range(0)));
    p.token->logout();
    for (auto _ : state) {
        p.token->login(Secret(SoftHsmToken::kUserPin));
        p.token->logout();
    }
    p.token->login(Secret(SoftHsmToken::kUserPin));
}

// A bare C_SignInit + C_Sign (CKM_SHA256_RSA_PKCS, the token hashes) over the 100 KiB letter,
// on a handle found beforehand, in this process.
void pairsRawSign(benchmark::State& state) {
    auto& p = PairsToken::get(static_cast<int>(state.range(0)));
    auto h = findPrivate(*p.token, p.key.id);
    CK_FUNCTION_LIST* api = Softhsm::get().module->api();
    CK_MECHANISM mech{CKM_SHA256_RSA_PKCS, nullptr, 0};
    Bytes letter(100 * 1024, 'x');
    unsigned char sig[512];
    for (auto _ : state) {
        CK_ULONG len = sizeof sig;
        FIRMANTE_CK(api, C_SignInit, p.token->session().handle(), &mech, h);
        FIRMANTE_CK(api, C_Sign, p.token->session().handle(), letter.data(), letter.size(), sig,
                    &len);
        benchmark::DoNotOptimize(len);
    }
}

}  // namespace

// Processes: wall-clock time (the CPU time is the child's, not ours).
#ifdef FIRMANTE_CLI
BENCHMARK(cliSign)->ArgName("pairs")->Arg(1)->Arg(25)->UseRealTime()->Unit(benchmark::kMillisecond);
#endif
BENCHMARK(toolSign)->ArgName("pairs")->Arg(1)->Arg(25)->UseRealTime()->Unit(
    benchmark::kMillisecond);
BENCHMARK(tokenLogin)->ArgName("pairs")->Arg(1)->Arg(25)->Unit(benchmark::kMillisecond);
BENCHMARK(pairsRawSign)->ArgName("pairs")->Arg(1)->Arg(25)->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(rawSign, Rsa2048, false);
BENCHMARK_CAPTURE(challenge, Rsa2048, false);
BENCHMARK_CAPTURE(cms, Rsa2048, false);
BENCHMARK_CAPTURE(rawSign, EcP256, true);
BENCHMARK_CAPTURE(challenge, EcP256, true);
BENCHMARK_CAPTURE(cms, EcP256, true);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    pairsTokens.clear();
    sharedBench.reset();
    sharedSofthsm.reset();
    return 0;
}
