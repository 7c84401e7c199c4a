// The protocol's fixed numbers and its error type: what every other part of the page API shares.
import { REASONS, WORDS } from './reasons.js';
import { PROMPTING_METHODS } from './methods.js';

export const PROTOCOL_VERSION = 1;
export const DEFAULT_WS_PORT = 31780;
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export const DEFAULT_TIMEOUTS = Object.freeze({
  // A little longer than the extension's own limits, so that its TIMEOUT
  // (which says where the time went) normally arrives first.
  callMs: 35_000,
  promptMs: 5 * 60_000 + 5_000,
});
// Link failures: a connect() that meets one of these has no usable transport.
export const LINK_REASONS = new Set([WORDS.NATIVE_UNAVAILABLE, WORDS.AGENT_NOT_RUNNING, WORDS.AGENT_UNAVAILABLE, WORDS.LOCAL_NETWORK_DENIED,
  WORDS.VERSION_MISMATCH, WORDS.TIMEOUT]);
// A reply without data.reason (another JSON-RPC server): the word whose code it carries.
const REASON_BY_CODE = Object.fromEntries(Object.entries(REASONS).filter(([, r]) => r.code !== -32000)
  .map(([word, r]) => [String(r.code), word]));

/** Every rejection of this module: `reason` is the agent's stable word (DESIGN §2). */
export class FirmanteError extends Error {
  constructor(message, { reason = WORDS.INTERNAL, code = -32000, triesLeft, data } = {}) {
    super(message);
    this.name = 'FirmanteError';
    this.reason = reason;
    this.code = code;
    this.triesLeft = triesLeft;
    this.data = data;
    // The agent says whether a retry can help; for words raised here, the table does.
    this.retriable = typeof data?.retriable === 'boolean' ? data.retriable : (REASONS[reason]?.retriable ?? false);
  }

  static fromJsonRpc(error) {
    const data = error && typeof error.data === 'object' && error.data !== null ? error.data : {};
    const code = typeof error?.code === 'number' ? error.code : -32000;
    return new FirmanteError(String(error?.message ?? 'Error del agente'), {
      reason: typeof data.reason === 'string' ? data.reason : (REASON_BY_CODE[code] ?? WORDS.INTERNAL),
      code,
      triesLeft: typeof data.triesLeft === 'number' ? data.triesLeft : undefined,
      data,
    });
  }
}

export const invalid = (message) => new FirmanteError(message, { reason: WORDS.INVALID_PARAMS, code: -32602 });

// Which methods may wait on a person: protocol/methods.json (generated methods.js).
export function isPrompting(method) {
  return PROMPTING_METHODS.has(method);
}
