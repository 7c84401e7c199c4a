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

// The names exported here are the whole public API; the other modules' exports
// are shared between modules only.
export { REASONS } from './reasons.js';
export { DEFAULT_WS_PORT, FirmanteError, MAX_REQUEST_BYTES, PROTOCOL_VERSION } from './messages.js';
export { base64ToBytes, bytesToBase64 } from './params.js';
export { FirmanteClient, createClient } from './client.js';
export { extensionTransport, probeExtension } from './extension-transport.js';
export { openWebSocketTransport } from './websocket-transport.js';
export { connect, request } from './connect.js';
import { REASONS } from './reasons.js';
import { DEFAULT_WS_PORT, FirmanteError, PROTOCOL_VERSION } from './messages.js';
import { base64ToBytes, bytesToBase64 } from './params.js';
import { FirmanteClient, createClient } from './client.js';
import { connect, request } from './connect.js';

export const Firmante = Object.freeze({
  connect, createClient, request, FirmanteError, FirmanteClient, bytesToBase64, base64ToBytes, PROTOCOL_VERSION, DEFAULT_WS_PORT, REASONS,
});
export default Firmante;
