#pragma once

namespace firmante::websocket {

/// A connection the server can end when it stops, from any thread.
class Closable {
  public:
    virtual ~Closable() = default;
    /// Posts the close to the connection's strand. Never throws.
    virtual void shutdown() noexcept = 0;
};

}  // namespace firmante::websocket
