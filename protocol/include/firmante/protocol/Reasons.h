#pragma once

#include <span>
#include <string_view>

#include "firmante/protocol/ReasonEnums.h"

namespace firmante::protocol {

/// Who produces a reason: the agent (on the wire), the link to it (extension, page API, native
/// host: the agent could not be reached), or the CLI alone.
enum class Source { Agent, Link, Cli };

/// One row of reasons.json, the only place reason words are spelled (issue 10).
struct ReasonInfo {
    Reason reason;
    std::string_view word;  // "PIN_INCORRECT": error.data.reason on the wire
    int rpcCode;            // JSON-RPC error code: -32700, -32600, -32601, -32602 or -32000
    bool retriable;         // a person can fix the cause and try again (error.data.retriable)
    ExitCode exit;          // the CLI's exit status
    Source source;
    std::string_view es;  // one sentence for a person, es-MX
    std::string_view en;  // the same in English
};

/// Every reason, in the table's order.
std::span<const ReasonInfo> reasonTable() noexcept;

/// The row of a reason.
const ReasonInfo& reasonInfo(Reason reason) noexcept;

/// The row of a word; nullptr for a word the table does not have.
const ReasonInfo* findReason(std::string_view word) noexcept;

/// The row of a word, or INTERNAL's for an unknown word (what a client should assume).
const ReasonInfo& reasonInfoOrInternal(std::string_view word) noexcept;

inline std::string_view reasonWord(Reason reason) noexcept {
    return reasonInfo(reason).word;
}

}  // namespace firmante::protocol
