#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "firmante/pkcs11/Secret.h"

namespace firmante::prompt {

/// One running pinentry and the Assuan line protocol over its stdin/stdout. Every byte read is
/// kept in wiped memory because a GETPIN answer carries the PIN.
class AssuanPipe {
  public:
    /// What a command ended with.
    struct Status {
        bool ok = false;
        unsigned long code = 0;  // the gpg-error code of an ERR line
        std::string message;     // the ERR line's text (never PIN data)
    };
    using DataSink = std::function<void(std::string_view escapedData)>;

    /// Starts `program`. Throws pkcs11::Error(Internal) when it cannot be found or started, or
    /// when it does not greet with OK.
    AssuanPipe(const std::string& program, std::chrono::seconds timeout);
    ~AssuanPipe();
    AssuanPipe(const AssuanPipe&) = delete;
    AssuanPipe& operator=(const AssuanPipe&) = delete;

    /// Sends one command line (already escaped) and reads up to its OK/ERR; `D` lines go to
    /// `data`. Throws pkcs11::Error(Internal) on a timeout or a dead pinentry.
    Status command(std::string_view line, const DataSink& data = {});

  private:
    using Line = std::vector<char, pkcs11::ZeroizingAllocator<char>>;
    Status readResponse(const DataSink& data);
    Line readLine();
    void writeAll(std::string_view bytes);
    void finish() noexcept;  // says BYE, closes the pipes, ends and reaps the child

    std::string program_;
    std::chrono::steady_clock::time_point deadline_;
    pid_t pid_ = -1;
    int toChild_ = -1;
    int fromChild_ = -1;
    Line buffer_;
};

}  // namespace firmante::prompt
