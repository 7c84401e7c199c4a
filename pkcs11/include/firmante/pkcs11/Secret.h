#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace firmante::pkcs11 {

/// Allocator that wipes memory before handing it back, so a PIN or password does not linger in
/// freed heap pages (std::string is avoided on purpose: its small-string buffer is never wiped).
template <typename T>
struct ZeroizingAllocator {
    using value_type = T;
    ZeroizingAllocator() noexcept = default;
    template <typename U>
    ZeroizingAllocator(const ZeroizingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept;
    template <typename U>
    bool operator==(const ZeroizingAllocator<U>&) const noexcept {
        return true;
    }
};

void secureWipe(void* p, std::size_t n) noexcept;

template <typename T>
void ZeroizingAllocator<T>::deallocate(T* p, std::size_t n) noexcept {
    secureWipe(p, n * sizeof(T));
    ::operator delete(p);
}

/// A PIN or password. Move-only; wiped on destruction; never formatted or logged.
class Secret {
  public:
    Secret() = default;
    explicit Secret(std::string_view text) { assign(text); }
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    Secret(Secret&& other) noexcept = default;
    Secret& operator=(Secret&& other) noexcept = default;
    ~Secret() { clear(); }

    void assign(std::string_view text);
    void push_back(char c) { bytes_.push_back(c); }
    void pop_back() {
        if (!bytes_.empty()) {
            bytes_.back() = 0;
            bytes_.pop_back();
        }
    }
    void clear() noexcept;
    bool empty() const noexcept { return bytes_.empty(); }
    std::size_t size() const noexcept { return bytes_.size(); }
    const char* data() const noexcept { return bytes_.data(); }
    /// For APIs that need a NUL-terminated string (libp11, PKCS12_parse). Valid until changed.
    const char* c_str();

  private:
    std::vector<char, ZeroizingAllocator<char>> bytes_;
};

/// Reads a secret from a file descriptor up to the first newline or EOF (for `--pin-fd`).
/// Throws Error(InvalidParams) when the descriptor cannot be read or the secret is empty.
Secret readSecretFromFd(int fd);

}  // namespace firmante::pkcs11
