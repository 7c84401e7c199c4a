// Types for firmante.js, the Firmante page API. Field lists follow DESIGN §2;
// the agent may add members, so results are open (index signatures).

export const PROTOCOL_VERSION: 1;
export const DEFAULT_WS_PORT: 31780;
export const MAX_REQUEST_BYTES: number;

/** A DESIGN §2 reason word, plus the transport words of the extension and page API. */
export type FirmanteReason =
  // generated from protocol/reasons.json by tools/reasons.mjs: begin
  | 'PARSE_ERROR' | 'INVALID_REQUEST' | 'METHOD_NOT_FOUND' | 'INVALID_PARAMS' | 'TOO_LARGE'
  | 'TRUNCATED' | 'ORIGIN_NOT_ALLOWED' | 'USER_CANCELLED' | 'PIN_INCORRECT' | 'PIN_LOCKED'
  | 'PASSWORD_INCORRECT' | 'TOKEN_NOT_PRESENT' | 'TOKEN_REMOVED' | 'MODULE_NOT_FOUND' | 'NOT_LOGGED_IN'
  | 'MECHANISM_INVALID' | 'KEY_TYPE_UNSUPPORTED' | 'KEY_PROVENANCE_UNCONFIRMED' | 'KEY_NOT_FOUND' | 'CERTIFICATE_NOT_FOUND'
  | 'CERTIFICATE_EXPIRED' | 'CERTIFICATE_MISMATCH' | 'CERTIFICATE_UNTRUSTED' | 'SIGNATURE_INVALID' | 'LETTER_MISMATCH'
  | 'RENEWAL_STATE' | 'BUSY' | 'TIMEOUT' | 'VERSION_MISMATCH' | 'PORT_IN_USE'
  | 'LISTEN_FAILED' | 'INTERNAL' | 'NATIVE_UNAVAILABLE' | 'AGENT_NOT_RUNNING' | 'AGENT_UNAVAILABLE'
  | 'LOCAL_NETWORK_DENIED'
  // generated from protocol/reasons.json by tools/reasons.mjs: end
  | (string & {});

/** One row of protocol/reasons.json, the one table of Firmante's reasons. */
export interface FirmanteReasonInfo {
  readonly code: number;
  readonly retriable: boolean;
  /** Who produces it: the agent, or the link to it (extension, page API, native host). */
  readonly from: 'agent' | 'link' | 'cli';
  /** One sentence for a person, es-MX and English. */
  readonly es: string;
  readonly en: string;
}
/** Every reason word with its code, retry flag and sentences (generated from the one table). */
export const REASONS: Readonly<Record<string, FirmanteReasonInfo>>;

export class FirmanteError extends Error {
  constructor(message: string, init?: { reason?: FirmanteReason; code?: number; triesLeft?: number; data?: object });
  readonly name: 'FirmanteError';
  /** Stable upper-case word from the agent's error.data.reason. */
  readonly reason: FirmanteReason;
  /** JSON-RPC error code (-32000 for application errors). */
  readonly code: number;
  /** Whether the person can fix the cause and try again (a wrong PIN, a removed token, a cancel):
   *  offer a retry only then. From the agent's error.data.retriable, else from REASONS. */
  readonly retriable: boolean;
  /** PIN tries left, when the agent says (PIN_INCORRECT). */
  readonly triesLeft?: number;
  /** The agent's whole error.data. */
  readonly data?: Record<string, unknown>;
  static fromJsonRpc(error: { code?: number; message?: string; data?: object }): FirmanteError;
}

/** Bytes for binary parameters; a string must already be standard base64. */
export type Binary = Uint8Array | ArrayBuffer | ArrayBufferView | string;
/** PEM text, base64 DER, or DER bytes. */
export type CertificateInput = string | Uint8Array | ArrayBuffer | ArrayBufferView;
/** RFC 7512 PKCS#11 URI, e.g. "pkcs11:token=Demo;id=%01;type=cert". */
export type Pkcs11Uri = string;
export type Base64 = string;
export type KeyType = 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'ec-p256' | 'ec-p384';

export interface AgentInfo {
  agentVersion: string;
  protocolVersion: number;
  transports?: string[];
  module?: string;
  tokens?: unknown;
  [key: string]: unknown;
}

export interface TokenInfo {
  uri: Pkcs11Uri; label: string; manufacturer: string; model: string; serial: string;
  pinpad: boolean; pinCountLow: boolean; pinFinalTry: boolean; pinLocked: boolean;
  [key: string]: unknown;
}

export interface CertificateInfo {
  uri: Pkcs11Uri; keyUri: Pkcs11Uri; subject: string; issuer: string; serial: string;
  notBefore: string; notAfter: string; expired: boolean; spkiSha256: string; der: Base64;
  [key: string]: unknown;
}

export interface ChallengeSignature {
  signature: Base64; algorithm: 'RS256' | 'ES256' | 'ES384'; certificate?: Base64 | string;
  [key: string]: unknown;
}

export interface RenewalBegun {
  renewalId: string; uri: Pkcs11Uri; spki: Base64; spkiHex: string; csr: string;
  keyAttributes: { local: boolean; neverExtractable: boolean; alwaysSensitive: boolean; extractable: boolean };
  [key: string]: unknown;
}

export interface SignedDocument {
  cms: Base64; documentSha256: string; signer: unknown;
  [key: string]: unknown;
}

export interface Transport {
  readonly kind: 'extension' | 'websocket' | string;
  send(message: object, text?: string): void;
  close(): void;
  onmessage: ((message: any) => void) | null;
  onclose: ((error: FirmanteError) => void) | null;
}

export interface Timeouts { callMs?: number; promptMs?: number }

export class FirmanteClient {
  constructor(transport: Transport, options?: { timeouts?: Timeouts });
  /** Which path connect() found. */
  readonly transport: 'extension' | 'websocket';
  /** agent.info from connect(), or null if the agent would not answer it for this origin. */
  agentInfo: AgentInfo | null;

  info(): Promise<AgentInfo>;
  listTokens(): Promise<{ tokens: TokenInfo[]; [key: string]: unknown }>;
  listCertificates(args?: { token?: Pkcs11Uri | string }): Promise<{ certificates: CertificateInfo[]; [key: string]: unknown }>;
  signChallenge(args: { certificate: Pkcs11Uri; nonce: Binary }): Promise<ChallengeSignature>;
  beginRenewal(args: { certificate: Pkcs11Uri; keyType?: KeyType }): Promise<RenewalBegun>;
  signLetter(args: { renewalId: string; stage: 'acceptance' | 'terms'; document: Binary; fileName: string }): Promise<SignedDocument>;
  proveKeyPossession(args: { renewalId: string; nonce: Binary }): Promise<ChallengeSignature>;
  installCertificate(args: { renewalId: string; certificate: CertificateInput; chain?: CertificateInput[] }): Promise<{ uri: Pkcs11Uri; [key: string]: unknown }>;
  renewalStatus(args?: { renewalId?: string }): Promise<Record<string, unknown>>;
  finishRenewal(args: { renewalId: string; retireOld: boolean }): Promise<Record<string, unknown>>;
  /** renewal.cancel: removes the new key of a renewal whose certificate was not installed, after
   *  the person confirms in the agent's prompt. */
  cancelRenewal(args: { renewalId: string }): Promise<{ cancelled: true; keyRemoved: boolean }>;
  signDocument(args: { certificate: Pkcs11Uri; document: Binary; fileName: string }): Promise<SignedDocument>;
  /** documents.sign_batch: up to 100 documents, one prompt listing them, one PIN (issue 12 §4). */
  signDocuments(args: {
    certificate: Pkcs11Uri;
    documents: Array<{ document: Binary; fileName: string }>;
  }): Promise<{ results: Array<{ fileName: string; documentSha256: string; cms: string }>; signer: string; certificate: string }>;

  /** Any JSON-RPC method by name; top-level byte values are base64-encoded. */
  request(method: string, params?: Record<string, unknown>): Promise<any>;

  on(event: 'tokens.changed' | string, listener: (params: any) => void): this;
  off(event: 'tokens.changed' | string, listener: (params: any) => void): this;
  close(): void;
  handshake(timeoutMs?: number): Promise<AgentInfo>;
}

export interface ConnectOptions {
  /** Agent WebSocket port; 0 = extension only. Default 31780. */
  wsPort?: number;
  /** Deadline for each transport's handshake, ms. Default 5000. */
  timeoutMs?: number;
  /** How long to wait for an extension that has not marked the page, ms. Default 0: no mark, no extension. */
  probeMs?: number;
  timeouts?: Timeouts;
  /**
   * WebSocket path only: how long to keep trying while the agent asks the person whether this
   * site may use the certificates (the agent holds the upgrade, then answers 503 + Retry-After), ms.
   * Default 300000 (5 min); past it connect() rejects with TIMEOUT (data.consentWaitMs).
   */
  consentWaitMs?: number;
  /** Called before each retry of that wait, so the page can say the person should answer in Firmante's window. */
  onConsentWait?: (wait: { attempt: number; retryInMs: number; waitedMs: number }) => void;
  /** For tests: the window to talk through and the WebSocket constructor. */
  window?: Window;
  WebSocket?: typeof WebSocket;
}

/** Rejects with reason NATIVE_UNAVAILABLE, AGENT_NOT_RUNNING, AGENT_UNAVAILABLE (data.localNetworkAccess), LOCAL_NETWORK_DENIED, TIMEOUT (data.consentWaitMs) or VERSION_MISMATCH. */
export function connect(options?: ConnectOptions): Promise<FirmanteClient>;
/** One call on a page-wide shared connection, opened on first use (with `options`) and after the agent went away. */
export function request(method: string, params?: Record<string, unknown>, options?: ConnectOptions): Promise<any>;
export function createClient(transport: Transport, options?: { timeouts?: Timeouts }): FirmanteClient;
export function probeExtension(win: Window, ms: number): Promise<boolean>;
export function extensionTransport(win: Window): Transport;
export function openWebSocketTransport(WebSocketImpl: typeof WebSocket, port: number, timeoutMs: number): Promise<Transport>;
export function bytesToBase64(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): Base64;
export function base64ToBytes(text: Base64): Uint8Array;

export const Firmante: {
  readonly connect: typeof connect;
  readonly createClient: typeof createClient;
  readonly request: typeof request;
  readonly FirmanteError: typeof FirmanteError;
  readonly FirmanteClient: typeof FirmanteClient;
  readonly bytesToBase64: typeof bytesToBase64;
  readonly base64ToBytes: typeof base64ToBytes;
  readonly PROTOCOL_VERSION: 1;
  readonly DEFAULT_WS_PORT: 31780;
  readonly REASONS: typeof REASONS;
};
export default Firmante;
