#pragma once

namespace firmante::agent {

inline constexpr const char* kAgentVersion = "0.1.0";
inline constexpr int kProtocolVersion = 1;

}  // namespace firmante::agent
