#pragma once

#include <cstdlib>
#include <map>
#include <string>

namespace firmante::testing {

/// True when this test binary (and so the agent it runs, built in the same tree) is built with
/// AddressSanitizer. gcc defines __SANITIZE_ADDRESS__; clang (the asan preset) only answers
/// __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

/// How much slower a test's own work runs here than in the plain build: a time bound that holds
/// a measured figure with a margin is multiplied by this under ASan (instrumented loads and
/// stores, a checked allocator, libFuzzer's coverage counters in the asan preset) rather than
/// skipped. Not for bounds that prove a timeout fires: those stay as they are.
inline constexpr int kSlowdown = kAddressSanitizer ? 3 : 1;

/// The environment for a process whose resident memory a test bounds: ASan keeps freed blocks
/// in a quarantine (256 MB by default) that would read as growth in VmRSS, so under ASan the
/// process runs without it and the bound measures what it measures in the plain build.
inline std::map<std::string, std::string> sanitizerEnvironment() {
    if (!kAddressSanitizer) return {};
    const char* options = std::getenv("ASAN_OPTIONS");
    return {{"ASAN_OPTIONS", std::string(options && *options ? std::string(options) + ":" : "") +
                                 "quarantine_size_mb=0"}};
}

}  // namespace firmante::testing
