// Firmante page API: lets a portal page talk to the local Firmante agent,
// through the Firmante browser extension when it is installed, else over the
// agent's loopback WebSocket. One ES module, no dependencies, no bundler:
//
//   import { Firmante } from '/static/firmante.js';
//   const firmante = await Firmante.connect();
//   const { tokens } = await firmante.listTokens();
//
// The page never sees or sends a PIN: the agent asks for it in its own window.
// The page also never names its origin: the browser attests it.

export const PROTOCOL_VERSION = 1;
export const DEFAULT_WS_PORT = 31780;
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const DEFAULT_TIMEOUTS = Object.freeze({
  // A little longer than the extension's own limits, so that its TIMEOUT
  // (which says where the time went) normally arrives first.
  callMs: 35_000,
  promptMs: 5 * 60_000 + 5_000,
});
// Link failures: a connect() that meets one of these has no usable transport.
const LINK_REASONS = new Set(['NATIVE_UNAVAILABLE', 'AGENT_NOT_RUNNING', 'AGENT_UNAVAILABLE', 'LOCAL_NETWORK_DENIED',
  'VERSION_MISMATCH', 'TIMEOUT']);
const REASON_BY_CODE = { '-32700': 'PARSE_ERROR', '-32600': 'INVALID_REQUEST', '-32601': 'METHOD_NOT_FOUND', '-32602': 'INVALID_PARAMS' };

/** Every rejection of this module: `reason` is the agent's stable word (DESIGN §2). */
export class FirmanteError extends Error {
  constructor(message, { reason = 'INTERNAL', code = -32000, triesLeft, data } = {}) {
    super(message);
    this.name = 'FirmanteError';
    this.reason = reason;
    this.code = code;
    this.triesLeft = triesLeft;
    this.data = data;
  }

  static fromJsonRpc(error) {
    const data = error && typeof error.data === 'object' && error.data !== null ? error.data : {};
    const code = typeof error?.code === 'number' ? error.code : -32000;
    return new FirmanteError(String(error?.message ?? 'Error del agente'), {
      reason: typeof data.reason === 'string' ? data.reason : (REASON_BY_CODE[code] ?? 'INTERNAL'),
      code,
      triesLeft: typeof data.triesLeft === 'number' ? data.triesLeft : undefined,
      data,
    });
  }
}

const invalid = (message) => new FirmanteError(message, { reason: 'INVALID_PARAMS', code: -32602 });

function isRenewalStep(method) {
  return method.startsWith('renewal.') && method !== 'renewal.status';
}
function isPrompting(method) {
  return method === 'auth.sign_challenge' || method === 'documents.sign' || method === 'documents.sign_batch' ||
    isRenewalStep(method);
}

// ---------------------------------------------------------------- base64

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function asBytes(value) {
  const tag = Object.prototype.toString.call(value);
  // By tag rather than instanceof, so buffers from another frame work too.
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

/** Standard base64 with padding of a Uint8Array, ArrayBuffer or other ArrayBuffer view. */
export function bytesToBase64(value) {
  const bytes = asBytes(value);
  if (!bytes) throw invalid('Expected a Uint8Array or an ArrayBuffer');
  let binary = '';
  // Chunked: String.fromCharCode.apply has an argument-count limit.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Decodes the base64 strings the agent returns (signatures, cms, der, spki). */
export function base64ToBytes(text) {
  if (typeof text !== 'string' || !BASE64.test(text)) throw invalid('Not a standard base64 string');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Binary parameter: bytes are encoded, a string must already be base64. */
function binaryParam(value, name) {
  if (typeof value === 'string') {
    if (!BASE64.test(value)) throw invalid(`${name} must be bytes or a base64 string`);
    return value;
  }
  if (asBytes(value)) return bytesToBase64(value);
  throw invalid(`${name} must be a Uint8Array, an ArrayBuffer or a base64 string`);
}

/** Certificates: PEM text or base64 DER pass through, DER bytes are encoded. */
function certificateParam(value, name) {
  if (typeof value === 'string' && value.length > 0) return value;
  if (asBytes(value)) return bytesToBase64(value);
  throw invalid(`${name} must be PEM text, base64 DER or DER bytes`);
}

function textParam(value, name, { optional = false } = {}) {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${name} must be a non-empty string`);
  return value;
}

// Refuses anything that looks like a PIN before it can be sent anywhere: the
// PIN is typed only into the agent's own UI (DESIGN §3.2).
function checkArgs(args, allowed, method) {
  if (args === undefined || args === null) return {};
  if (typeof args !== 'object' || Array.isArray(args)) throw invalid(`${method}: expected an object of named parameters`);
  for (const key of Object.keys(args)) {
    if (/pin|passw|passphrase|secret/i.test(key)) {
      throw invalid(`${method}: the PIN is typed only in the Firmante agent's own window, never passed by the page`);
    }
    if (!allowed.includes(key)) throw invalid(`${method}: unknown parameter "${key}"`);
  }
  return args;
}

function compact(params) {
  for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
  return params;
}

// ---------------------------------------------------------------- client

let clientCount = 0;

/**
 * A connected client. Obtain one with `Firmante.connect()`; `createClient`
 * wraps any transport `{ kind, send(message, text), close(), onmessage, onclose }`.
 */
export class FirmanteClient {
  #transport;
  #timeouts;
  #pending = new Map();
  #listeners = new Map();
  #idPrefix;
  #nextId = 0;
  #closed = null;
  /** agent.info result from connect(), or null if the agent would not say. */
  agentInfo = null;

  constructor(transport, { timeouts = DEFAULT_TIMEOUTS } = {}) {
    this.#transport = transport;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
    // Ids are unique per client so that two clients in one page never take
    // each other's answers (the extension path shares one window).
    this.#idPrefix = `f${++clientCount}-${Math.random().toString(36).slice(2, 10)}-`;
    transport.onmessage = (msg) => this.#onMessage(msg);
    transport.onclose = (err) => this.#onClose(err);
  }

  /** "extension" or "websocket". */
  get transport() {
    return this.#transport.kind;
  }

  async info() {
    return this.#call('agent.info', {});
  }
  async listTokens() {
    return this.#call('tokens.list', {});
  }
  async listCertificates(args) {
    const { token } = checkArgs(args, ['token'], 'listCertificates');
    return this.#call('certificates.list', compact({ token: textParam(token, 'token', { optional: true }) }));
  }
  async signChallenge(args) {
    const { certificate, nonce } = checkArgs(args, ['certificate', 'nonce'], 'signChallenge');
    return this.#call('auth.sign_challenge', {
      certificate: textParam(certificate, 'certificate'), nonce: binaryParam(nonce, 'nonce'),
    });
  }
  async beginRenewal(args) {
    const { certificate, keyType } = checkArgs(args, ['certificate', 'keyType'], 'beginRenewal');
    return this.#call('renewal.begin', compact({
      certificate: textParam(certificate, 'certificate'), keyType: textParam(keyType, 'keyType', { optional: true }),
    }));
  }
  async signLetter(args) {
    const { renewalId, stage, document, fileName } =
      checkArgs(args, ['renewalId', 'stage', 'document', 'fileName'], 'signLetter');
    if (stage !== 'acceptance' && stage !== 'terms') throw invalid('signLetter: stage must be "acceptance" or "terms"');
    return this.#call('renewal.sign_letter', {
      renewalId: textParam(renewalId, 'renewalId'), stage,
      document: binaryParam(document, 'document'), fileName: textParam(fileName, 'fileName'),
    });
  }
  async proveKeyPossession(args) {
    const { renewalId, nonce } = checkArgs(args, ['renewalId', 'nonce'], 'proveKeyPossession');
    return this.#call('renewal.prove_possession', {
      renewalId: textParam(renewalId, 'renewalId'), nonce: binaryParam(nonce, 'nonce'),
    });
  }
  async installCertificate(args) {
    const { renewalId, certificate, chain } = checkArgs(args, ['renewalId', 'certificate', 'chain'], 'installCertificate');
    if (chain !== undefined && !Array.isArray(chain)) throw invalid('installCertificate: chain must be an array');
    return this.#call('renewal.install_certificate', compact({
      renewalId: textParam(renewalId, 'renewalId'),
      certificate: certificateParam(certificate, 'certificate'),
      chain: chain?.map((c, i) => certificateParam(c, `chain[${i}]`)),
    }));
  }
  async renewalStatus(args) {
    const { renewalId } = checkArgs(args, ['renewalId'], 'renewalStatus');
    return this.#call('renewal.status', compact({ renewalId: textParam(renewalId, 'renewalId', { optional: true }) }));
  }
  async finishRenewal(args) {
    const { renewalId, retireOld } = checkArgs(args, ['renewalId', 'retireOld'], 'finishRenewal');
    if (typeof retireOld !== 'boolean') throw invalid('finishRenewal: retireOld must be true or false');
    return this.#call('renewal.finish', { renewalId: textParam(renewalId, 'renewalId'), retireOld });
  }
  async cancelRenewal(args) {
    const { renewalId } = checkArgs(args, ['renewalId'], 'cancelRenewal');
    return this.#call('renewal.cancel', { renewalId: textParam(renewalId, 'renewalId') });
  }
  async signDocument(args) {
    const { certificate, document, fileName } = checkArgs(args, ['certificate', 'document', 'fileName'], 'signDocument');
    return this.#call('documents.sign', {
      certificate: textParam(certificate, 'certificate'),
      document: binaryParam(document, 'document'), fileName: textParam(fileName, 'fileName'),
    });
  }

  /**
   * documents.sign_batch (issue 12 §4): up to 100 documents, one prompt listing them all, one
   * PIN. `documents` is an array of {document, fileName}; results come back in the same order.
   */
  async signDocuments(args) {
    const { certificate, documents } = checkArgs(args, ['certificate', 'documents'], 'signDocuments');
    if (!Array.isArray(documents) || documents.length === 0 || documents.length > 100) {
      throw invalid('signDocuments: documents must be an array of 1 to 100 {document, fileName}');
    }
    return this.#call('documents.sign_batch', {
      certificate: textParam(certificate, 'certificate'),
      documents: documents.map((d, i) => {
        const { document, fileName } = checkArgs(d, ['document', 'fileName'], `signDocuments: documents[${i}]`);
        return { document: binaryParam(document, `documents[${i}].document`), fileName: textParam(fileName, `documents[${i}].fileName`) };
      }),
    });
  }

  /**
   * Any JSON-RPC method by name, for callers that drive the protocol table
   * directly. Top-level byte values (and arrays of them) are base64-encoded;
   * PIN-like names are refused like everywhere else.
   */
  async request(method, params = {}) {
    if (typeof method !== 'string' || method.length === 0) throw invalid('request: method must be a non-empty string');
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw invalid(`${method}: params must be an object`);
    const encoded = {};
    for (const [key, value] of Object.entries(checkArgs(params, Object.keys(params), method))) {
      if (asBytes(value)) encoded[key] = bytesToBase64(value);
      else if (Array.isArray(value)) encoded[key] = value.map((v) => (asBytes(v) ? bytesToBase64(v) : v));
      else encoded[key] = value;
    }
    return this.#call(method, compact(encoded));
  }

  /** Listens to an agent notification, e.g. `on('tokens.changed', fn)`; fn gets its params. */
  on(event, fn) {
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(fn);
    return this;
  }
  off(event, fn) {
    this.#listeners.get(event)?.delete(fn);
    return this;
  }

  /** Stops listening; calls still waiting reject with AGENT_UNAVAILABLE. */
  close() {
    this.#transport.close();
    this.#onClose(new FirmanteError('Closed by the page', { reason: 'AGENT_UNAVAILABLE' }));
  }

  /** For connect(): agent.info with a deadline and the protocol check. */
  async handshake(timeoutMs) {
    const info = await this.#call('agent.info', {}, timeoutMs);
    if (info?.protocolVersion !== PROTOCOL_VERSION) {
      throw new FirmanteError(`The agent speaks protocol ${JSON.stringify(info?.protocolVersion)}, this page ${PROTOCOL_VERSION}`,
        { reason: 'VERSION_MISMATCH' });
    }
    this.agentInfo = info;
    return info;
  }

  #call(method, params, timeoutMs) {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#idPrefix + ++this.#nextId;
    const message = { jsonrpc: '2.0', id, method, params };
    const text = JSON.stringify(message);
    // Characters are a lower bound of UTF-8 bytes: exact enough to refuse early.
    if (text.length > MAX_REQUEST_BYTES) {
      return Promise.reject(new FirmanteError(`The request exceeds ${MAX_REQUEST_BYTES} bytes`, { reason: 'TOO_LARGE' }));
    }
    const ms = timeoutMs ?? (isPrompting(method) ? this.#timeouts.promptMs : this.#timeouts.callMs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new FirmanteError(`No answer to ${method} within ${Math.round(ms / 1000)} s`, { reason: 'TIMEOUT' }));
      }, ms);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.#transport.send(message, text);
      } catch (err) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(err instanceof FirmanteError ? err
          : new FirmanteError(`Could not send: ${err?.message ?? err}`, { reason: 'AGENT_UNAVAILABLE' }));
      }
    });
  }

  #onMessage(msg) {
    if (!msg || typeof msg !== 'object') return;
    if (msg.id === undefined && typeof msg.method === 'string') {
      for (const fn of [...(this.#listeners.get(msg.method) ?? [])]) {
        try {
          fn(msg.params);
        } catch (err) {
          // One broken listener must not silence the others; still surface it.
          setTimeout(() => { throw err; }, 0);
        }
      }
      return;
    }
    const waiting = this.#pending.get(msg.id);
    if (!waiting) return; // someone else's answer, or too late
    this.#pending.delete(msg.id);
    clearTimeout(waiting.timer);
    if (msg.error !== undefined) waiting.reject(FirmanteError.fromJsonRpc(msg.error));
    else waiting.resolve(msg.result);
  }

  #onClose(err) {
    if (this.#closed) return;
    this.#closed = err ?? new FirmanteError('The connection to the agent closed', { reason: 'AGENT_UNAVAILABLE' });
    for (const w of this.#pending.values()) {
      clearTimeout(w.timer);
      w.reject(this.#closed);
    }
    this.#pending.clear();
  }
}

export function createClient(transport, options) {
  return new FirmanteClient(transport, options);
}

// ---------------------------------------------------------------- transports

const EXTENSION_ATTRIBUTE = 'data-firmante-extension';

/** Resolves true when the extension's content script answers a ping within `ms`. */
export function probeExtension(win, ms) {
  return new Promise((resolve) => {
    const origin = win.location.origin;
    const done = (found) => {
      clearTimeout(timer);
      win.removeEventListener('message', onMessage);
      resolve(found);
    };
    const onMessage = (event) => {
      if (event.source === win && event.origin === origin && event.data?.firmante === 'ready') done(true);
    };
    const timer = setTimeout(() => done(false), ms);
    win.addEventListener('message', onMessage);
    win.postMessage({ firmante: 'ping' }, origin);
  });
}

export function extensionTransport(win) {
  const origin = win.location.origin;
  const transport = {
    kind: 'extension',
    onmessage: null,
    onclose: null,
    send(message) {
      win.postMessage({ firmante: 'request', request: message }, origin);
    },
    close() {
      win.removeEventListener('message', onMessage);
    },
  };
  // Same acceptance rule as the content script: this window, this origin.
  function onMessage(event) {
    if (event.source !== win || event.origin !== origin) return;
    const data = event.data;
    if (!data || typeof data !== 'object') return;
    if (data.firmante === 'response') transport.onmessage?.(data.response);
    else if (data.firmante === 'event') transport.onmessage?.(data.event);
  }
  win.addEventListener('message', onMessage);
  return transport;
}

/** Opens ws://127.0.0.1:port; rejects with AGENT_UNAVAILABLE. */
export function openWebSocketTransport(WebSocketImpl, port, timeoutMs) {
  return new Promise((resolve, reject) => {
    let ws;
    try {
      ws = new WebSocketImpl(`ws://127.0.0.1:${port}`);
    } catch (err) {
      reject(new FirmanteError(`No WebSocket: ${err?.message ?? err}`, { reason: 'AGENT_UNAVAILABLE' }));
      return;
    }
    let open = false;
    const transport = {
      kind: 'websocket',
      onmessage: null,
      onclose: null,
      send(message, text) {
        if (ws.readyState !== 1) throw new FirmanteError('The agent connection is closed', { reason: 'AGENT_UNAVAILABLE' });
        ws.send(text ?? JSON.stringify(message));
      },
      close() {
        ws.close();
      },
    };
    const timer = setTimeout(() => {
      ws.close();
      reject(new FirmanteError(`The agent did not accept a WebSocket on port ${port}`, { reason: 'AGENT_UNAVAILABLE' }));
    }, timeoutMs);
    ws.onopen = () => {
      open = true;
      clearTimeout(timer);
      resolve(transport);
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      transport.onmessage?.(msg);
    };
    const refused = () => {
      clearTimeout(timer);
      reject(new FirmanteError(`No Firmante agent on ws://127.0.0.1:${port}`, { reason: 'AGENT_UNAVAILABLE' }));
    };
    // Browsers fire error then close on a refused connection; some other
    // implementations only error. Either settles the attempt (reject is idempotent).
    ws.onerror = () => {
      if (!open) refused();
    };
    ws.onclose = () => {
      if (!open) {
        refused();
        return;
      }
      transport.onclose?.(new FirmanteError('The agent closed the connection', { reason: 'AGENT_UNAVAILABLE' }));
    };
  });
}

// ---------------------------------------------------------------- connect

/**
 * Connects to the agent: the extension first, else the WebSocket.
 * @param {object} [options]
 * @param {number} [options.wsPort=31780]  0 = do not try the WebSocket
 * @param {number} [options.timeoutMs=5000]  for each transport's handshake
 * @param {number} [options.probeMs=0]  how long to wait for an extension that has not marked the page;
 *   0 (the default) trusts the mark: the content script runs at document_start, before any page
 *   script, so a page without the mark has no extension and goes straight to the WebSocket
 * @param {{callMs?: number, promptMs?: number}} [options.timeouts]  per-call deadlines
 * @returns {Promise<FirmanteClient>}  rejects with reason NATIVE_UNAVAILABLE (extension present, its native
 *   host not installed), AGENT_NOT_RUNNING (host installed, agent not running), AGENT_UNAVAILABLE (nothing
 *   answered; data.localNetworkAccess when the browser has the permission), LOCAL_NETWORK_DENIED (the
 *   browser refuses this site the loopback WebSocket) or VERSION_MISMATCH
 */
export async function connect(options = {}) {
  const {
    wsPort = DEFAULT_WS_PORT,
    timeoutMs = 5_000,
    probeMs = 0,
    timeouts,
    window: win = globalThis.window,
    WebSocket: WebSocketImpl = globalThis.WebSocket,
  } = options;

  let extensionFailure = null;
  if (win && typeof win.postMessage === 'function') {
    // The content script announces itself by marking <html> at document_start, before any page
    // script runs: no mark, no extension, and no fixed wait before the WebSocket (issue 14; a
    // 300 ms probe here cost every page load of a WebSocket-only browser). A page that wants to
    // wait anyway for an extension installed after it loaded passes probeMs.
    const marked = win.document?.documentElement?.hasAttribute?.(EXTENSION_ATTRIBUTE) ?? false;
    if ((marked || probeMs > 0) && await probeExtension(win, marked ? timeoutMs : probeMs)) {
      const client = createClient(extensionTransport(win), { timeouts });
      try {
        await client.handshake(timeoutMs);
        return client;
      } catch (err) {
        if (!LINK_REASONS.has(err.reason)) return client; // the agent answered; it just would not tell this page
        client.close();
        extensionFailure = err;
      }
    }
  }

  let websocketFailure = null;
  if (wsPort && WebSocketImpl) {
    try {
      const client = createClient(await openWebSocketTransport(WebSocketImpl, wsPort, timeoutMs), { timeouts });
      try {
        await client.handshake(timeoutMs);
        return client;
      } catch (err) {
        if (!LINK_REASONS.has(err.reason)) return client;
        client.close();
        websocketFailure = err;
      }
    } catch (err) {
      websocketFailure = err;
    }
  }

  if (websocketFailure?.reason === 'AGENT_UNAVAILABLE') websocketFailure = await withLocalNetworkState(websocketFailure, win);
  if (websocketFailure?.reason === 'VERSION_MISMATCH' || websocketFailure?.reason === 'LOCAL_NETWORK_DENIED') throw websocketFailure;
  if (extensionFailure) throw extensionFailure;
  throw websocketFailure ?? new FirmanteError('The Firmante agent is not reachable from this page', { reason: 'AGENT_UNAVAILABLE' });
}

// Chromium's Local Network Access (Chrome 142+, WebSockets from 147): a public site must be
// allowed by the person before it reaches ws://127.0.0.1. A refused WebSocket looks the same
// whatever the cause, so after one fails the permission's state tells the page what to say:
// "denied" is LOCAL_NETWORK_DENIED; otherwise AGENT_UNAVAILABLE with data.localNetworkAccess
// ("prompt": the person may have dismissed the question; "granted": the agent is not there).
const LOCAL_NETWORK_PERMISSIONS = ['local-network-access', 'loopback-network'];

async function withLocalNetworkState(err, win) {
  const permissions = win?.navigator?.permissions;
  if (!permissions || typeof permissions.query !== 'function') return err;
  // Chromium has had one name (142) and then two finer ones (145); any of them denied blocks.
  const states = [];
  for (const name of LOCAL_NETWORK_PERMISSIONS) {
    try {
      states.push((await permissions.query({ name })).state);
    } catch {
      // this browser does not know the name
    }
  }
  if (states.length === 0) return err;
  if (states.includes('denied')) {
    return new FirmanteError('The browser does not let this site reach the agent on this computer (local network access)',
      { reason: 'LOCAL_NETWORK_DENIED', data: { localNetworkAccess: 'denied' } });
  }
  const state = states.includes('prompt') ? 'prompt' : states[0];
  return new FirmanteError(err.message, { reason: err.reason, code: err.code, data: { ...err.data, localNetworkAccess: state } });
}

let shared = null;

/**
 * One call on a connection shared by the whole page, opened on first use with
 * `options` and re-opened after the agent goes away.
 */
export async function request(method, params = {}, options = {}) {
  if (!shared) {
    shared = connect(options);
    shared.catch(() => { shared = null; });
  }
  const client = await shared;
  try {
    return await client.request(method, params);
  } catch (err) {
    if (err?.reason === 'AGENT_UNAVAILABLE' && shared) {
      const current = await shared.catch(() => null);
      if (current === client) shared = null;
    }
    throw err;
  }
}

export const Firmante = Object.freeze({
  connect, createClient, request, FirmanteError, FirmanteClient, bytesToBase64, base64ToBytes, PROTOCOL_VERSION, DEFAULT_WS_PORT,
});
export default Firmante;
