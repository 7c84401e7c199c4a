// Checking and encoding a call's named parameters before anything is sent.
import { invalid } from './messages.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function asBytes(value) {
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
export function binaryParam(value, name) {
  if (typeof value === 'string') {
    if (!BASE64.test(value)) throw invalid(`${name} must be bytes or a base64 string`);
    return value;
  }
  if (asBytes(value)) return bytesToBase64(value);
  throw invalid(`${name} must be a Uint8Array, an ArrayBuffer or a base64 string`);
}

/** Certificates: PEM text or base64 DER pass through, DER bytes are encoded. */
export function certificateParam(value, name) {
  if (typeof value === 'string' && value.length > 0) return value;
  if (asBytes(value)) return bytesToBase64(value);
  throw invalid(`${name} must be PEM text, base64 DER or DER bytes`);
}

export function textParam(value, name, { optional = false } = {}) {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${name} must be a non-empty string`);
  return value;
}

// Refuses anything that looks like a PIN before it can be sent anywhere: the
// PIN is typed only into the agent's own UI (DESIGN §3.2).
export function checkArgs(args, allowed, method) {
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

export function compact(params) {
  for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
  return params;
}
