import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackground } from '../src/lib/background-core.js';
import { MAX_PENDING_PER_CLIENT, TIMEOUTS } from '../src/lib/protocol.js';
import {
  EXTENSION_BASE, disconnectWithError, makeFakeBrowser, pageSender, scriptedHost, settle,
} from '../test-support/fake-browser.mjs';

const PORTAL = 'http://127.0.0.1:8080';
const OTHER_PORTAL = 'http://localhost:9090';

function request(id, method, params) {
  const msg = { jsonrpc: '2.0', id, method };
  if (params !== undefined) msg.params = params;
  return msg;
}

// A host that echoes the origin it was given, so tests see what the agent saw.
function echoHost(extra = {}) {
  return scriptedHost({
    handle: (msg, port) => port.deliver({ jsonrpc: '2.0', id: msg.id, result: { method: msg.method, origin: msg.origin } }),
    ...extra,
  });
}

function setup(t, hostOptions, bgOptions) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const host = hostOptions === null ? undefined : (hostOptions?.host ?? echoHost());
  const browser = makeFakeBrowser({ nativeHost: host });
  const bg = startBackground({ runtime: browser.runtime }, bgOptions);
  return { ...browser, ...bg, host };
}

const lastReply = (port) => port.posted.at(-1);
const reason = (reply) => reply?.error?.data?.reason;

test('the background attaches the origin from the sender to every request', async (t) => {
  const { connectClient, host } = setup(t);
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'tokens.list'));
  await settle();
  const sent = host.received.find((m) => m.method === 'tokens.list');
  assert.equal(sent.origin, PORTAL);
  assert.deepEqual(lastReply(page), { jsonrpc: '2.0', id: 1, result: { method: 'tokens.list', origin: PORTAL } });
});

test('a page that writes another origin into its message is still identified by its own', async (t) => {
  const { connectClient, host } = setup(t);
  const page = connectClient(pageSender(PORTAL));
  page.deliver({ ...request(7, 'auth.sign_challenge', { certificate: 'pkcs11:id=%01', nonce: 'AAAA' }), origin: 'https://idse.imss.gob.mx' });
  await settle();
  const sent = host.received.find((m) => m.method === 'auth.sign_challenge');
  assert.equal(sent.origin, PORTAL);
  assert.equal(lastReply(page).result.origin, PORTAL);
});

test('the origin falls back to the sender URL when the browser gives no sender.origin', async (t) => {
  const { connectClient, host } = setup(t);
  const sender = pageSender(OTHER_PORTAL);
  delete sender.origin; // Firefox
  const page = connectClient(sender);
  page.deliver(request(1, 'agent.info'));
  await settle();
  assert.equal(host.received.find((m) => m.id === 1 && m.method === 'agent.info').origin, OTHER_PORTAL);
});

test('a sender without a usable origin gets ORIGIN_NOT_ALLOWED and nothing reaches the host', async (t) => {
  const { connectClient, host } = setup(t);
  const page = connectClient({ url: 'about:blank', origin: 'null', tab: { id: 3 } });
  page.deliver(request(1, 'tokens.list'));
  await settle();
  assert.equal(reason(lastReply(page)), 'ORIGIN_NOT_ALLOWED');
  assert.equal(host.received.filter((m) => m.method === 'tokens.list').length, 0);
});

test('colliding ids from two tabs are rewritten and each answer returns to its own tab', async (t) => {
  const held = [];
  const host = scriptedHost({ handle: (msg, port) => held.push({ msg, port }) });
  const { connectClient } = setup(t, { host });
  const tabA = connectClient(pageSender(PORTAL, 1));
  const tabB = connectClient(pageSender(OTHER_PORTAL, 2));
  tabA.deliver(request(1, 'tokens.list'));
  tabB.deliver(request(1, 'tokens.list'));
  tabB.deliver(request('x', 'certificates.list', {}));
  await settle();
  assert.equal(held.length, 3);
  const ids = held.map((h) => h.msg.id);
  assert.equal(new Set(ids).size, 3, 'the host sees three distinct ids');
  // Answer out of order.
  for (const { msg, port } of held.reverse()) {
    port.deliver({ jsonrpc: '2.0', id: msg.id, result: { origin: msg.origin, method: msg.method } });
  }
  await settle();
  assert.deepEqual(tabA.posted, [{ jsonrpc: '2.0', id: 1, result: { origin: PORTAL, method: 'tokens.list' } }]);
  assert.deepEqual(tabB.posted.find((r) => r.id === 1), { jsonrpc: '2.0', id: 1, result: { origin: OTHER_PORTAL, method: 'tokens.list' } });
  assert.deepEqual(tabB.posted.find((r) => r.id === 'x').result.method, 'certificates.list');
});

test('agent errors reach the page unchanged, under the page id', async (t) => {
  const host = scriptedHost({
    handle: (msg, port) => port.deliver({
      jsonrpc: '2.0', id: msg.id,
      error: { code: -32000, message: 'PIN incorrecto', data: { reason: 'PIN_INCORRECT', triesLeft: 2 } },
    }),
  });
  const { connectClient } = setup(t, { host });
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request('abc', 'documents.sign', { certificate: 'pkcs11:id=%01', document: 'AA==', fileName: 'a.pdf' }));
  await settle();
  assert.deepEqual(lastReply(page), {
    jsonrpc: '2.0', id: 'abc',
    error: { code: -32000, message: 'PIN incorrecto', data: { reason: 'PIN_INCORRECT', triesLeft: 2 } },
  });
});

test('when the native host is missing every request gets NATIVE_UNAVAILABLE', async (t) => {
  const { connectClient, nativePorts } = setup(t, null);
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'tokens.list'));
  await settle();
  const first = lastReply(page);
  assert.equal(first.id, 1);
  assert.equal(reason(first), 'NATIVE_UNAVAILABLE');
  assert.match(first.error.message, /not found/);
  assert.equal(first.error.code, -32000);
  page.deliver(request(2, 'agent.info'));
  await settle();
  assert.equal(lastReply(page).id, 2);
  assert.equal(reason(lastReply(page)), 'NATIVE_UNAVAILABLE');
  assert.ok(nativePorts.length >= 2, 'each request tries the host again');
});

test('an agent with another protocol version gives VERSION_MISMATCH', async (t) => {
  const { connectClient, host } = setup(t, { host: echoHost({ protocolVersion: 2 }) });
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'tokens.list'));
  await settle();
  assert.equal(reason(lastReply(page)), 'VERSION_MISMATCH');
  assert.equal(host.received.filter((m) => m.method === 'tokens.list').length, 0);
});

test('the handshake is agent.info under the extension\'s own origin, never a page\'s', async (t) => {
  const { connectClient, host } = setup(t);
  connectClient(pageSender(PORTAL));
  await settle();
  const hello = host.received[0];
  assert.equal(hello.method, 'agent.info');
  assert.equal(hello.origin, EXTENSION_BASE.replace(/\/$/, ''));
});

test('an agent that never answers the handshake gives TIMEOUT after about 10 s', async (t) => {
  const { connectClient } = setup(t, { host: echoHost({ answerHandshake: false }) });
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'tokens.list'));
  await settle();
  t.mock.timers.tick(TIMEOUTS.handshakeMs - 1);
  await settle();
  assert.equal(page.posted.length, 0);
  t.mock.timers.tick(1);
  await settle();
  assert.equal(reason(lastReply(page)), 'TIMEOUT');
});

test('an ordinary call times out after 30 s and a late answer is dropped', async (t) => {
  const held = [];
  const { connectClient } = setup(t, { host: scriptedHost({ handle: (msg, port) => held.push({ msg, port }) }) });
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'tokens.list'));
  await settle();
  t.mock.timers.tick(TIMEOUTS.callMs - 1);
  await settle();
  assert.equal(page.posted.length, 0);
  t.mock.timers.tick(1);
  await settle();
  assert.equal(reason(lastReply(page)), 'TIMEOUT');
  held[0].port.deliver({ jsonrpc: '2.0', id: held[0].msg.id, result: { tokens: [] } });
  await settle();
  assert.equal(page.posted.length, 1, 'the late answer is not delivered');
});

test('calls that wait on a person get five minutes before TIMEOUT', async (t) => {
  const { connectClient } = setup(t, { host: scriptedHost({ handle: () => {} }) });
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'auth.sign_challenge', { certificate: 'c', nonce: 'AAAAAAAAAAAAAAAAAAAAAA==' }));
  page.deliver(request(2, 'renewal.begin', { certificate: 'c' }));
  page.deliver(request(3, 'renewal.status', {}));
  await settle();
  t.mock.timers.tick(TIMEOUTS.callMs);
  await settle();
  assert.deepEqual(page.posted.map((r) => [r.id, reason(r)]), [[3, 'TIMEOUT']], 'renewal.status is an ordinary call');
  t.mock.timers.tick(TIMEOUTS.promptMs - TIMEOUTS.callMs - 1);
  await settle();
  assert.equal(page.posted.length, 1);
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual(page.posted.slice(1).map((r) => [r.id, reason(r)]).sort(), [[1, 'TIMEOUT'], [2, 'TIMEOUT']]);
});

test('a second renewal step from the same page while one is pending is BUSY', async (t) => {
  const held = [];
  const { connectClient } = setup(t, {
    host: scriptedHost({
      handle: (msg, port) => {
        if (msg.method === 'renewal.status') port.deliver({ jsonrpc: '2.0', id: msg.id, result: { renewals: [] } });
        else held.push({ msg, port });
      },
    }),
  });
  const page = connectClient(pageSender(PORTAL, 1));
  const otherTab = connectClient(pageSender(PORTAL, 2));
  page.deliver(request(1, 'renewal.begin', { certificate: 'c' }));
  await settle();
  page.deliver(request(2, 'renewal.sign_letter', { renewalId: 'r', stage: 'acceptance', document: 'AA==', fileName: 'c.pdf' }));
  page.deliver(request(3, 'renewal.status', {}));
  otherTab.deliver(request(1, 'renewal.begin', { certificate: 'c' }));
  await settle();
  assert.equal(reason(page.posted.find((r) => r.id === 2)), 'BUSY');
  assert.deepEqual(page.posted.find((r) => r.id === 3).result, { renewals: [] });
  assert.equal(otherTab.posted.length, 0, 'another page is not blocked');
  assert.deepEqual(held.map((h) => h.msg.method), ['renewal.begin', 'renewal.begin']);
  // Once the first step is answered the page may take the next one.
  held[0].port.deliver({ jsonrpc: '2.0', id: held[0].msg.id, result: { renewalId: 'r' } });
  await settle();
  page.deliver(request(4, 'renewal.sign_letter', { renewalId: 'r', stage: 'acceptance', document: 'AA==', fileName: 'c.pdf' }));
  await settle();
  assert.equal(page.posted.find((r) => r.id === 4), undefined, 'still waiting on the agent, not BUSY');
  assert.equal(held.at(-1).msg.method, 'renewal.sign_letter');
});

test('a request over 16 MiB of JSON is TOO_LARGE and never reaches the host', async (t) => {
  const { connectClient, host } = setup(t);
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'documents.sign', { certificate: 'c', document: 'A'.repeat(16 * 1024 * 1024), fileName: 'big.pdf' }));
  await settle();
  assert.equal(reason(lastReply(page)), 'TOO_LARGE');
  assert.equal(host.received.filter((m) => m.method === 'documents.sign').length, 0);
});

test('the size limit counts UTF-8 bytes, not characters', async (t) => {
  const { connectClient, host } = setup(t, undefined, { maxRequestBytes: 400 });
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'documents.sign', { fileName: 'ñ'.repeat(150) })); // ~300 chars of JSON, > 400 bytes
  page.deliver(request(2, 'documents.sign', { fileName: 'n'.repeat(150) }));
  await settle();
  assert.equal(reason(page.posted.find((r) => r.id === 1)), 'TOO_LARGE');
  assert.ok(page.posted.find((r) => r.id === 2).result);
  assert.equal(host.received.filter((m) => m.method === 'documents.sign').length, 1);
});

test('malformed requests get INVALID_REQUEST', async (t) => {
  const { connectClient } = setup(t);
  const page = connectClient(pageSender(PORTAL));
  page.deliver({ jsonrpc: '2.0', method: 'tokens.list' }); // no id
  page.deliver({ jsonrpc: '1.0', id: 5, method: 'tokens.list' });
  page.deliver({ jsonrpc: '2.0', id: 6, method: 'tokens.list', params: 'x' });
  await settle();
  assert.deepEqual(page.posted.map((r) => [r.id, r.error.code, reason(r)]), [
    [null, -32600, 'INVALID_REQUEST'], [5, -32600, 'INVALID_REQUEST'], [6, -32600, 'INVALID_REQUEST'],
  ]);
});

test('a host that exits mid-call fails the call and the next request reconnects', async (t) => {
  const held = [];
  const { connectClient, nativePorts, runtime, host } = setup(t, {
    host: scriptedHost({ handle: (msg, port) => held.push({ msg, port }) }),
  });
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'tokens.list'));
  await settle();
  disconnectWithError(runtime, nativePorts[0], 'Native host has exited.');
  await settle();
  assert.equal(reason(lastReply(page)), 'NATIVE_UNAVAILABLE');
  page.deliver(request(2, 'tokens.list'));
  await settle();
  assert.equal(nativePorts.length, 2);
  assert.ok(host.received.some((m) => m.method === 'tokens.list' && m.origin === PORTAL && held.at(-1).msg === m));
});

test('a host that says why it stops (agent not running) passes its reason on to the page', async (t) => {
  // firmante-nmhost started, found no agent and could not start one: its id-less error says so.
  const { connectClient, nativePorts, runtime } = setup(t, {
    host: scriptedHost({ answerHandshake: false }),
  });
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'tokens.list'));
  await settle();
  nativePorts[0].deliver({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'firmante-agent no está en ejecución', data: { reason: 'AGENT_NOT_RUNNING' } } });
  disconnectWithError(runtime, nativePorts[0], 'Native host has exited.');
  await settle();
  assert.equal(lastReply(page).id, 1);
  assert.equal(reason(lastReply(page)), 'AGENT_NOT_RUNNING', 'not the generic NATIVE_UNAVAILABLE of a missing host');
});

test('notifications from the agent reach every connected page', async (t) => {
  const { connectClient, nativePorts } = setup(t);
  const a = connectClient(pageSender(PORTAL, 1));
  const b = connectClient(pageSender(OTHER_PORTAL, 2));
  await settle();
  nativePorts[0].deliver({ jsonrpc: '2.0', method: 'tokens.changed', params: { tokens: 1 } });
  await settle();
  for (const page of [a, b]) {
    assert.deepEqual(page.posted, [{ jsonrpc: '2.0', method: 'tokens.changed', params: { tokens: 1 } }]);
  }
});

test('the popup may read status but may not sign', async (t) => {
  const { connectClient, host } = setup(t);
  const popup = connectClient({ id: 'x', url: EXTENSION_BASE + 'popup/popup.html' });
  popup.deliver(request(1, 'tokens.list'));
  popup.deliver(request(2, 'documents.sign', { certificate: 'c', document: 'AA==', fileName: 'a' }));
  await settle();
  assert.equal(popup.posted.find((r) => r.id === 1).result.origin, EXTENSION_BASE.replace(/\/$/, ''));
  assert.equal(reason(popup.posted.find((r) => r.id === 2)), 'ORIGIN_NOT_ALLOWED');
  assert.equal(host.received.filter((m) => m.method === 'documents.sign').length, 0);
});

test('a page that disconnects abandons its calls without errors elsewhere', async (t) => {
  const held = [];
  const { connectClient, relay } = setup(t, { host: scriptedHost({ handle: (msg, port) => held.push({ msg, port }) }) });
  const page = connectClient(pageSender(PORTAL));
  page.deliver(request(1, 'renewal.begin', { certificate: 'c' }));
  await settle();
  assert.equal(relay.pendingCount, 1);
  page.disconnected = true;
  page.onDisconnect.emit(page);
  assert.equal(relay.pendingCount, 0);
  held[0].port.deliver({ jsonrpc: '2.0', id: held[0].msg.id, result: {} });
  await settle();
  assert.equal(page.posted.length, 0);
});

test('after the host exits the background re-opens the port so notifications resume', async (t) => {
  const { connectClient, nativePorts, runtime } = setup(t);
  const page = connectClient(pageSender(PORTAL));
  await settle();
  assert.equal(nativePorts.length, 1);
  disconnectWithError(runtime, nativePorts[0], 'Native host has exited.');
  await settle();
  t.mock.timers.tick(999);
  await settle();
  assert.equal(nativePorts.length, 1, 'waits before re-opening');
  t.mock.timers.tick(1);
  await settle();
  assert.equal(nativePorts.length, 2);
  nativePorts[1].deliver({ jsonrpc: '2.0', method: 'tokens.changed', params: {} });
  await settle();
  assert.deepEqual(page.posted, [{ jsonrpc: '2.0', method: 'tokens.changed', params: {} }]);
});

test('a page with too many requests waiting gets BUSY for the next one', async (t) => {
  const { connectClient, host } = setup(t, { host: scriptedHost({ handle: () => {} }) });
  const page = connectClient(pageSender(PORTAL));
  for (let i = 1; i <= MAX_PENDING_PER_CLIENT + 1; i++) page.deliver(request(i, 'tokens.list'));
  await settle();
  assert.deepEqual(page.posted.map((r) => [r.id, reason(r)]), [[MAX_PENDING_PER_CLIENT + 1, 'BUSY']]);
  assert.equal(host.received.filter((m) => m.method === 'tokens.list').length, MAX_PENDING_PER_CLIENT);
});
