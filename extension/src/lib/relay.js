// Relays JSON-RPC requests from pages (through their content script's port)
// and from the popup to the native host: rewrites ids so that pages' ids never
// collide, attaches the browser-attested origin, enforces size, busy and
// timeout rules, and shapes every local failure as a JSON-RPC error.
import { ClientSession } from './client-session.js';
import {
  CODES, MAX_PENDING_PER_CLIENT, MAX_REQUEST_BYTES, POPUP_METHODS, TIMEOUTS, errorResponse, exceedsUtf8Length,
  isRenewalStep, isValidId, timeoutFor,
} from './protocol.js';
import { WORDS } from './reason-words.js';

export class Relay {
  #native;
  #timeouts;
  #maxRequestBytes;
  #ownBaseUrl;
  #clients = new Set();
  #pending = new Map(); // native id → { client, pageId, method, timer }
  #nextId = 1;

  constructor({ native, ownBaseUrl, timeouts = TIMEOUTS, maxRequestBytes = MAX_REQUEST_BYTES }) {
    this.#native = native;
    this.#ownBaseUrl = ownBaseUrl;
    this.#timeouts = timeouts;
    this.#maxRequestBytes = maxRequestBytes;
  }

  get clientCount() {
    return this.#clients.size;
  }

  get pendingCount() {
    return this.#pending.size;
  }

  /** A content script or the popup opened a runtime port. */
  addClient(port) {
    const client = new ClientSession(port, this.#ownBaseUrl);
    this.#clients.add(client);
    port.onMessage.addListener((msg) => this.#onRequest(client, msg));
    port.onDisconnect.addListener(() => this.#removeClient(client));
    // Open the native link early so notifications reach the page even before
    // its first call; a failure here is reported on the first request.
    this.#native.ensure().catch(() => {});
    return client;
  }

  /** Every message from the native host that is not the handshake reply. */
  onNativeMessage(msg) {
    if (!msg || typeof msg !== 'object') return;
    if (msg.id === undefined && typeof msg.method === 'string') {
      const note = { jsonrpc: '2.0', method: msg.method };
      if (msg.params !== undefined) note.params = msg.params;
      for (const client of this.#clients) client.post(note);
      return;
    }
    if (!this.#pending.has(msg.id)) return; // late answer to a timed-out or abandoned call
    const entry = this.#pending.get(msg.id);
    const reply = { jsonrpc: '2.0', id: entry.pageId };
    if (msg.error !== undefined) reply.error = msg.error;
    else reply.result = msg.result;
    this.#finish(msg.id, reply);
  }

  /** The native port went away: nothing in flight will be answered. */
  onNativeDisconnect(err) {
    for (const [nativeId, entry] of this.#pending) {
      if (entry.sent) this.#finish(nativeId, errorResponse(entry.pageId, err.reason, err.message));
    }
  }

  #onRequest(client, msg) {
    const fail = (id, reason, message, code) => client.post(errorResponse(id, reason, message, code));
    const looksValid = msg !== null && typeof msg === 'object' && !Array.isArray(msg) &&
      msg.jsonrpc === '2.0' && typeof msg.method === 'string' && msg.method.length > 0 &&
      isValidId(msg.id) &&
      (msg.params === undefined || (typeof msg.params === 'object' && msg.params !== null));
    if (!looksValid) {
      const id = msg && isValidId(msg.id) ? msg.id : null;
      fail(id, WORDS.INVALID_REQUEST, 'Expected a JSON-RPC 2.0 request with an id', CODES.INVALID_REQUEST);
      return;
    }
    const { id: pageId, method, params } = msg;
    if (client.origin === null) {
      fail(pageId, WORDS.ORIGIN_NOT_ALLOWED, 'The page has no origin the browser can attest');
      return;
    }
    if (client.extensionPage && !POPUP_METHODS.has(method)) {
      fail(pageId, WORDS.ORIGIN_NOT_ALLOWED, `The extension's own pages may not call ${method}`);
      return;
    }

    const nativeId = this.#nextId++;
    // Built from scratch: only the members JSON-RPC defines, plus the origin
    // the browser attested. Whatever "origin" the page wrote is dropped.
    const outgoing = { jsonrpc: '2.0', id: nativeId, method };
    if (params !== undefined) outgoing.params = params;
    outgoing.origin = client.origin;
    let text;
    try {
      text = JSON.stringify(outgoing);
    } catch {
      fail(pageId, WORDS.INVALID_REQUEST, 'The request is not serialisable as JSON', CODES.INVALID_REQUEST);
      return;
    }
    if (exceedsUtf8Length(text, this.#maxRequestBytes)) {
      fail(pageId, WORDS.TOO_LARGE, `The request exceeds ${this.#maxRequestBytes} bytes of JSON`);
      return;
    }
    if (client.pending.size >= MAX_PENDING_PER_CLIENT) {
      fail(pageId, WORDS.BUSY, `This page already has ${MAX_PENDING_PER_CLIENT} requests waiting`);
      return;
    }
    if (isRenewalStep(method) && client.renewalStep !== null) {
      fail(pageId, WORDS.BUSY, 'A renewal step from this page is still waiting for an answer');
      return;
    }

    const entry = { client, pageId, method, timer: null, sent: false };
    this.#pending.set(nativeId, entry);
    client.pending.add(nativeId);
    if (isRenewalStep(method)) client.renewalStep = nativeId;

    this.#native.ensure().then(
      () => {
        if (this.#pending.get(nativeId) !== entry) return; // page left meanwhile
        try {
          this.#native.post(outgoing);
        } catch (err) {
          this.#finish(nativeId, errorResponse(pageId, err.reason ?? WORDS.NATIVE_UNAVAILABLE, err.message));
          return;
        }
        entry.sent = true;
        const ms = timeoutFor(method, this.#timeouts);
        entry.timer = setTimeout(() => {
          this.#finish(nativeId, errorResponse(pageId, WORDS.TIMEOUT, `No answer to ${method} within ${ms / 1000} s`));
        }, ms);
      },
      (err) => {
        if (this.#pending.get(nativeId) !== entry) return;
        this.#finish(nativeId, errorResponse(pageId, err.reason ?? WORDS.NATIVE_UNAVAILABLE, err.message));
      },
    );
  }

  #finish(nativeId, reply) {
    const entry = this.#pending.get(nativeId);
    if (!entry) return;
    this.#pending.delete(nativeId);
    clearTimeout(entry.timer);
    entry.client.pending.delete(nativeId);
    if (entry.client.renewalStep === nativeId) entry.client.renewalStep = null;
    entry.client.post(reply);
  }

  #removeClient(client) {
    client.connected = false;
    this.#clients.delete(client);
    for (const nativeId of client.pending) {
      const entry = this.#pending.get(nativeId);
      if (entry) clearTimeout(entry.timer);
      this.#pending.delete(nativeId);
    }
    client.pending.clear();
    client.renewalStep = null;
  }
}
