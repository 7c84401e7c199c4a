#pragma once

#include <cstdio>
#include <cstdlib>

// A property a target checks on every input. Unlike assert() it survives NDEBUG (the fuzz preset
// builds RelWithDebInfo) and says which property broke; abort() is what libFuzzer reports as a
// crash and saves the input for.
#define FUZZ_CHECK(condition)                                                                     \
    do {                                                                                          \
        if (!(condition)) {                                                                       \
            std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                         \
        }                                                                                         \
    } while (false)
