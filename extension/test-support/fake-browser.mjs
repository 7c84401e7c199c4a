// A stand-in for chrome.runtime detailed enough to drive the background core:
// runtime ports with onMessage/onDisconnect, connectNative to a scripted host,
// and runtime.lastError set only while onDisconnect listeners run (as in
// Chromium). Messages are structured-cloned like the browser does.

export const EXTENSION_BASE = 'chrome-extension://afhfgighjolakkaojlpbnjliophojapc/';

export class FakeEvent {
  listeners = [];
  addListener(fn) {
    this.listeners.push(fn);
  }
  removeListener(fn) {
    this.listeners = this.listeners.filter((l) => l !== fn);
  }
  emit(...args) {
    for (const l of [...this.listeners]) l(...args);
  }
}

/** One end of a runtime port as the code under test sees it. */
export class FakePort {
  onMessage = new FakeEvent();
  onDisconnect = new FakeEvent();
  /** messages the code under test posted */
  posted = [];
  disconnected = false;
  /** called with each posted message (the other end) */
  peer = null;

  constructor(name, sender) {
    this.name = name;
    this.sender = sender;
  }

  postMessage(message) {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    const copy = structuredClone(message);
    this.posted.push(copy);
    if (this.peer) queueMicrotask(() => this.peer(copy));
  }

  disconnect() {
    this.disconnected = true;
  }

  /** The other end sends `message` to the code under test. */
  deliver(message) {
    if (this.disconnected) return;
    this.onMessage.emit(structuredClone(message), this);
  }
}

/**
 * @param {object} o
 * @param {(port: FakePort, runtime: object) => void} [o.nativeHost]  called for each connectNative; undefined = host missing
 */
export function makeFakeBrowser({ nativeHost } = {}) {
  const nativePorts = [];
  const runtime = {
    id: 'afhfgighjolakkaojlpbnjliophojapc',
    lastError: undefined,
    onConnect: new FakeEvent(),
    getURL: (path) => EXTENSION_BASE + path,
    connectNative(name) {
      const port = new FakePort(name, undefined);
      nativePorts.push(port);
      if (nativeHost) {
        nativeHost(port, runtime);
      } else {
        // Chromium returns a port and disconnects it asynchronously.
        setImmediate(() => disconnectWithError(runtime, port, 'Specified native messaging host not found.'));
      }
      return port;
    },
  };

  /** A content script (or the popup, when sender has no tab) connects. */
  function connectClient(sender) {
    const port = new FakePort('firmante', sender);
    runtime.onConnect.emit(port);
    return port;
  }

  return { runtime, nativePorts, connectClient };
}

/** The browser closes `port` because of `message`, visible in runtime.lastError meanwhile. */
export function disconnectWithError(runtime, port, message) {
  if (port.disconnected) return;
  port.disconnected = true;
  runtime.lastError = message ? { message } : undefined;
  try {
    port.onDisconnect.emit(port);
  } finally {
    runtime.lastError = undefined;
  }
}

/**
 * A native host that answers the handshake with `protocolVersion` and hands
 * every other request to `handle(msg, port)`; records what it received.
 */
export function scriptedHost({ protocolVersion = 1, answerHandshake = true, handle } = {}) {
  const received = [];
  const host = (port) => {
    port.peer = (msg) => {
      received.push(msg);
      if (msg.method === 'agent.info' && typeof msg.id === 'string' && msg.id.startsWith('firmante-handshake')) {
        if (answerHandshake) port.deliver({ jsonrpc: '2.0', id: msg.id, result: { version: '0.1.0', protocolVersion } });
        return;
      }
      handle?.(msg, port);
    };
  };
  host.received = received;
  return host;
}

export const pageSender = (origin, tabId = 1, path = '/renovacion') => ({
  id: 'afhfgighjolakkaojlpbnjliophojapc',
  url: origin + path,
  origin,
  tab: { id: tabId },
  frameId: 0,
});

/** Lets queued microtasks and setImmediate callbacks run (setImmediate is never mocked here). */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/**
 * runtime.connect for a content script: returns the script's end of a port
 * whose other end is handed to the background through runtime.onConnect with
 * `sender`, as the browser does.
 */
export function contentScriptRuntime(backgroundRuntime, sender) {
  return {
    connect({ name } = {}) {
      const scriptEnd = new FakePort(name, undefined);
      const backgroundEnd = new FakePort(name, sender);
      scriptEnd.peer = (m) => backgroundEnd.deliver(m);
      backgroundEnd.peer = (m) => scriptEnd.deliver(m);
      const close = (from, to) => () => {
        from.disconnected = true;
        if (!to.disconnected) {
          to.disconnected = true;
          to.onDisconnect.emit(to);
        }
      };
      scriptEnd.disconnect = close(scriptEnd, backgroundEnd);
      backgroundEnd.disconnect = close(backgroundEnd, scriptEnd);
      backgroundRuntime.onConnect.emit(backgroundEnd);
      return scriptEnd;
    },
  };
}
