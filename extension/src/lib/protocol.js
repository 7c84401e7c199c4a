// Constants and small helpers shared by the background modules. Plain ES
// module with no browser globals so node tests import it directly.

import { EXTENSION_PAGE_METHODS, PROMPTING_METHODS, RENEWAL_STEPS } from './methods.js';

export const HOST_NAME = 'org.firmante.agent';
export const PROTOCOL_VERSION = 1;

// Same limit firmante-nmhost enforces on browser→host frames; checked here so
// an oversized request never leaves the browser.
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

// Requests one page may have waiting at once; the agent serialises token work
// anyway, so more only queues up behind the person's prompts.
export const MAX_PENDING_PER_CLIENT = 32;

export const TIMEOUTS = Object.freeze({
  handshakeMs: 10_000,
  callMs: 30_000,
  // Calls that wait on a person (PIN entry, consent, reading a letter).
  promptMs: 5 * 60_000,
});

export const CODES = Object.freeze({
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  APPLICATION: -32000,
});

// Per-method facts come from protocol/methods.json (generated lib/methods.js): a
// renewal step may prompt and changes the renewal's state (renewal.status only
// reads the journal).
export function isRenewalStep(method) {
  return RENEWAL_STEPS.has(method);
}

export function isPromptingMethod(method) {
  return PROMPTING_METHODS.has(method);
}

export function timeoutFor(method, timeouts = TIMEOUTS) {
  return isPromptingMethod(method) ? timeouts.promptMs : timeouts.callMs;
}

// What the extension's own popup may ask: reads only, nothing that signs or
// changes a token.
export const POPUP_METHODS = EXTENSION_PAGE_METHODS;

export function errorResponse(id, reason, message, code = CODES.APPLICATION) {
  return { jsonrpc: '2.0', id, error: { code, message, data: { reason } } };
}

export function isValidId(id) {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

// Whether the UTF-8 form of `text` is longer than `limit` bytes, encoding only
// when the answer is not obvious: each UTF-16 unit is 1–3 bytes (a surrogate
// pair, two units, is 4).
export function exceedsUtf8Length(text, limit) {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return new TextEncoder().encode(text).length > limit;
}
