// The connected client: one method per agent call, ids, deadlines and answers.
import {
  DEFAULT_TIMEOUTS, FirmanteError, MAX_REQUEST_BYTES, PROTOCOL_VERSION, invalid, isPrompting,
} from './messages.js';
import {
  asBytes, binaryParam, bytesToBase64, certificateParam, checkArgs, compact, textParam,
} from './params.js';
import { WORDS } from './reasons.js';

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
    this.#onClose(new FirmanteError('Closed by the page', { reason: WORDS.AGENT_UNAVAILABLE }));
  }

  /** For connect(): agent.info with a deadline and the protocol check. */
  async handshake(timeoutMs) {
    const info = await this.#call('agent.info', {}, timeoutMs);
    if (info?.protocolVersion !== PROTOCOL_VERSION) {
      throw new FirmanteError(`The agent speaks protocol ${JSON.stringify(info?.protocolVersion)}, this page ${PROTOCOL_VERSION}`,
        { reason: WORDS.VERSION_MISMATCH });
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
      return Promise.reject(new FirmanteError(`The request exceeds ${MAX_REQUEST_BYTES} bytes`, { reason: WORDS.TOO_LARGE }));
    }
    const ms = timeoutMs ?? (isPrompting(method) ? this.#timeouts.promptMs : this.#timeouts.callMs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new FirmanteError(`No answer to ${method} within ${Math.round(ms / 1000)} s`, { reason: WORDS.TIMEOUT }));
      }, ms);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.#transport.send(message, text);
      } catch (err) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(err instanceof FirmanteError ? err
          : new FirmanteError(`Could not send: ${err?.message ?? err}`, { reason: WORDS.AGENT_UNAVAILABLE }));
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
    this.#closed = err ?? new FirmanteError('The connection to the agent closed', { reason: WORDS.AGENT_UNAVAILABLE });
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
