// The one long-lived runtime.connectNative port to firmante-nmhost, with the
// version handshake (agent.info → protocolVersion) done before any page
// request is relayed. Takes the browser's runtime object as a parameter so
// node tests can drive it with a fake.
import { LinkError } from './link-error.js';
import { HOST_NAME, PROTOCOL_VERSION, TIMEOUTS } from './protocol.js';
import { WORDS } from './reason-words.js';

const RECONNECT_FIRST_MS = 1_000;
const RECONNECT_MAX_MS = 60_000;

export class NativeConnection {
  #runtime;
  #hostName;
  #timeouts;
  #onMessage;
  #onDisconnect;
  #shouldStayOpen;
  #ownOrigin;
  #port = null;
  #state = 'closed'; // 'closed' | 'connecting' | 'ready'
  #ready = null; // { promise, resolve, reject } while connecting
  #handshakeId = null;
  #handshakeCount = 0;
  #handshakeTimer = null;
  #reconnectTimer = null;
  #reconnectDelayMs = RECONNECT_FIRST_MS;
  #keepTrying = false;
  #agentInfo = null;
  #hostError = null; // the host's last id-less error: why it is about to go away

  /**
   * @param {object} o
   * @param {object} o.runtime  chrome.runtime / browser.runtime (or a fake)
   * @param {(msg: object) => void} o.onMessage  every message except the handshake reply
   * @param {(err: LinkError) => void} o.onDisconnect  a ready port went away
   * @param {() => boolean} o.shouldStayOpen  whether to re-open after an unexpected drop
   * @param {string} o.ownOrigin  the extension's own origin (chrome-extension://<id>), for its own requests
   */
  constructor({ runtime, hostName = HOST_NAME, timeouts = TIMEOUTS, onMessage, onDisconnect, shouldStayOpen, ownOrigin }) {
    this.#runtime = runtime;
    this.#ownOrigin = ownOrigin;
    this.#hostName = hostName;
    this.#timeouts = timeouts;
    this.#onMessage = onMessage ?? (() => {});
    this.#onDisconnect = onDisconnect ?? (() => {});
    this.#shouldStayOpen = shouldStayOpen ?? (() => false);
  }

  get state() {
    return this.#state;
  }

  /** agent.info result of the current session, or null. */
  get agentInfo() {
    return this.#agentInfo;
  }

  /** Resolves once the port is open and the agent speaks our protocol version; rejects with a LinkError. */
  ensure() {
    if (this.#state === 'ready') return Promise.resolve();
    if (this.#state === 'connecting') return this.#ready.promise;
    return this.#open();
  }

  /** Sends one JSON-RPC object; throws a LinkError when the port is not ready or already gone. */
  post(message) {
    if (this.#state !== 'ready') throw new LinkError(WORDS.NATIVE_UNAVAILABLE, 'Native host not connected');
    try {
      this.#port.postMessage(message);
    } catch (err) {
      this.#dropReady(`Native host port failed: ${err?.message ?? err}`);
      throw new LinkError(WORDS.NATIVE_UNAVAILABLE, 'Native host disconnected');
    }
  }

  close() {
    this.#keepTrying = false;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    if (this.#state === 'connecting') this.#failHandshake(new LinkError(WORDS.NATIVE_UNAVAILABLE, 'Closed'));
    else if (this.#state === 'ready') this.#dropReady('Closed', { reopen: false });
  }

  #open() {
    this.#hostError = null;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#state = 'connecting';
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers that only warm the link up may not wait; never leave a rejection unhandled.
    promise.catch(() => {});
    this.#ready = { promise, resolve, reject };

    let port;
    try {
      port = this.#runtime.connectNative(this.#hostName);
    } catch (err) {
      this.#failHandshake(new LinkError(WORDS.NATIVE_UNAVAILABLE, `connectNative failed: ${err?.message ?? err}`));
      return promise;
    }
    this.#port = port;
    port.onMessage.addListener((msg) => this.#onPortMessage(port, msg));
    port.onDisconnect.addListener((p) => this.#onPortDisconnect(port, p));

    this.#handshakeId = `firmante-handshake-${++this.#handshakeCount}`;
    this.#handshakeTimer = setTimeout(() => {
      this.#failHandshake(new LinkError(WORDS.TIMEOUT,
        `The agent did not answer agent.info within ${this.#timeouts.handshakeMs / 1000} s`));
    }, this.#timeouts.handshakeMs);
    try {
      // The handshake is the extension's own request, so it carries the
      // extension's origin (the agent requires an origin on every native
      // messaging request; agent.info needs no allowlist entry).
      port.postMessage({ jsonrpc: '2.0', id: this.#handshakeId, method: 'agent.info', params: {}, origin: this.#ownOrigin });
    } catch (err) {
      this.#failHandshake(new LinkError(WORDS.NATIVE_UNAVAILABLE, `Native host port failed: ${err?.message ?? err}`));
    }
    return promise;
  }

  #onPortMessage(port, msg) {
    if (port !== this.#port) return;
    // The host says why it stops in an error without an id just before it exits
    // (AGENT_NOT_RUNNING, ORIGIN_NOT_ALLOWED…); keep it for the disconnect, which
    // otherwise only knows "native host exited".
    if (msg && msg.id === null && msg.error?.data?.reason) {
      this.#hostError = new LinkError(msg.error.data.reason, msg.error.message ?? msg.error.data.reason);
      return;
    }
    if (this.#state === 'connecting' && msg && msg.id === this.#handshakeId) {
      this.#finishHandshake(msg);
      return;
    }
    this.#onMessage(msg);
  }

  #finishHandshake(msg) {
    if (msg.error) {
      const reason = msg.error?.data?.reason ?? WORDS.INTERNAL;
      this.#failHandshake(new LinkError(reason, `agent.info failed: ${msg.error?.message ?? 'error'}`));
      return;
    }
    const version = msg.result?.protocolVersion;
    if (version !== PROTOCOL_VERSION) {
      this.#failHandshake(new LinkError(WORDS.VERSION_MISMATCH,
        `The agent speaks protocol version ${JSON.stringify(version)}; this extension needs ${PROTOCOL_VERSION}`));
      return;
    }
    clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = null;
    this.#agentInfo = msg.result;
    this.#state = 'ready';
    this.#reconnectDelayMs = RECONNECT_FIRST_MS;
    this.#keepTrying = false;
    const { resolve } = this.#ready;
    this.#ready = null;
    resolve();
  }

  #failHandshake(err) {
    clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = null;
    const port = this.#port;
    this.#port = null;
    this.#state = 'closed';
    if (port) {
      try {
        port.disconnect();
      } catch {
        // already gone
      }
    }
    const ready = this.#ready;
    this.#ready = null;
    ready?.reject(err);
    // After a session that worked, keep trying in the background so
    // notifications resume; a host that was never reachable is retried only
    // when a page asks again.
    if (this.#keepTrying) this.#scheduleReconnect();
  }

  #onPortDisconnect(port, p) {
    if (port !== this.#port) return;
    // Chromium reports why in runtime.lastError (reading it also silences the
    // "unchecked lastError" warning); Firefox in port.error.
    const why = this.#runtime.lastError?.message ?? p?.error?.message ?? port.error?.message ?? 'Native host exited';
    const hostError = this.#hostError;
    this.#hostError = null;
    if (this.#state === 'connecting') {
      this.#failHandshake(hostError ?? new LinkError(WORDS.NATIVE_UNAVAILABLE, why));
    } else if (this.#state === 'ready') {
      this.#port = null;
      this.#dropReady(why, { error: hostError });
    }
  }

  #dropReady(why, { reopen = true, error = null } = {}) {
    const port = this.#port;
    this.#port = null;
    this.#state = 'closed';
    this.#agentInfo = null;
    if (port) {
      try {
        port.disconnect();
      } catch {
        // already gone
      }
    }
    this.#onDisconnect(error ?? new LinkError(WORDS.NATIVE_UNAVAILABLE, why));
    if (reopen) {
      this.#keepTrying = true;
      this.#scheduleReconnect();
    }
  }

  #scheduleReconnect() {
    if (this.#reconnectTimer !== null) return;
    if (!this.#shouldStayOpen()) {
      this.#keepTrying = false;
      return;
    }
    const delay = this.#reconnectDelayMs;
    this.#reconnectDelayMs = Math.min(delay * 2, RECONNECT_MAX_MS);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#state === 'closed' && this.#shouldStayOpen()) this.ensure();
      else this.#keepTrying = false;
    }, delay);
  }
}
