import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { PAGE_API_URL } from '../test-support/page-api-bundle.mjs';
import { startBackground } from '../src/lib/background-core.js';
import {
  contentScriptRuntime, makeFakeBrowser, pageSender, scriptedHost, settle,
} from '../test-support/fake-browser.mjs';
import { FakePageWindow } from '../test-support/fake-page.mjs';

const {
  Firmante, FirmanteError, base64ToBytes, bytesToBase64, connect, createClient,
} = await import(PAGE_API_URL);

const PORTAL = 'http://127.0.0.1:8080';
const CONTENT_SCRIPT = readFileSync(new URL('../src/content/content-script.js', import.meta.url), 'utf8');

/** A transport the test answers by hand. */
function fakeTransport() {
  const t = {
    kind: 'fake',
    sent: [],
    onmessage: null,
    onclose: null,
    closed: false,
    send(message, text) {
      assert.equal(text, JSON.stringify(message), 'the client passes the exact JSON text');
      t.sent.push(structuredClone(message));
    },
    close() {
      t.closed = true;
    },
    answer(result) {
      const last = t.sent.at(-1);
      t.onmessage({ jsonrpc: '2.0', id: last.id, result });
    },
    fail(error) {
      const last = t.sent.at(-1);
      t.onmessage({ jsonrpc: '2.0', id: last.id, error });
    },
  };
  return t;
}

test('every method sends the JSON-RPC method of DESIGN §2 with its named params', async () => {
  const t = fakeTransport();
  const client = createClient(t);
  const doc = new Uint8Array([1, 2, 3]);
  const calls = [
    [() => client.info(), 'agent.info', {}],
    [() => client.listTokens(), 'tokens.list', {}],
    [() => client.listCertificates({ token: 'pkcs11:token=Demo' }), 'certificates.list', { token: 'pkcs11:token=Demo' }],
    [() => client.listCertificates(), 'certificates.list', {}],
    [() => client.signChallenge({ certificate: 'pkcs11:id=%01', nonce: doc }), 'auth.sign_challenge', { certificate: 'pkcs11:id=%01', nonce: 'AQID' }],
    [() => client.beginRenewal({ certificate: 'pkcs11:id=%01', keyType: 'rsa-2048' }), 'renewal.begin', { certificate: 'pkcs11:id=%01', keyType: 'rsa-2048' }],
    [() => client.signLetter({ renewalId: 'r1', stage: 'acceptance', document: doc, fileName: 'carta.pdf' }), 'renewal.sign_letter', { renewalId: 'r1', stage: 'acceptance', document: 'AQID', fileName: 'carta.pdf' }],
    [() => client.proveKeyPossession({ renewalId: 'r1', nonce: 'AAECAwQFBgcICQoLDA0ODw==' }), 'renewal.prove_possession', { renewalId: 'r1', nonce: 'AAECAwQFBgcICQoLDA0ODw==' }],
    [() => client.installCertificate({ renewalId: 'r1', certificate: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n', chain: [doc] }), 'renewal.install_certificate', { renewalId: 'r1', certificate: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n', chain: ['AQID'] }],
    [() => client.renewalStatus({ renewalId: 'r1' }), 'renewal.status', { renewalId: 'r1' }],
    [() => client.renewalStatus(), 'renewal.status', {}],
    [() => client.finishRenewal({ renewalId: 'r1', retireOld: true }), 'renewal.finish', { renewalId: 'r1', retireOld: true }],
    [() => client.cancelRenewal({ renewalId: 'r1' }), 'renewal.cancel', { renewalId: 'r1' }],
    [() => client.signDocument({ certificate: 'pkcs11:id=%02', document: doc.buffer, fileName: 'a.pdf' }), 'documents.sign', { certificate: 'pkcs11:id=%02', document: 'AQID', fileName: 'a.pdf' }],
    [() => client.signDocuments({ certificate: 'pkcs11:id=%02', documents: [{ document: doc.buffer, fileName: 'a.pdf' }, { document: 'BAU=', fileName: 'b.pdf' }] }),
      'documents.sign_batch', { certificate: 'pkcs11:id=%02', documents: [{ document: 'AQID', fileName: 'a.pdf' }, { document: 'BAU=', fileName: 'b.pdf' }] }],
  ];
  for (const [call, method, params] of calls) {
    const pending = call();
    await settle(1);
    const sent = t.sent.at(-1);
    assert.equal(sent.jsonrpc, '2.0');
    assert.equal(sent.method, method);
    assert.deepEqual(sent.params, params, method);
    assert.equal('origin' in sent, false, 'the page never names its origin');
    t.answer({ ok: method });
    assert.deepEqual(await pending, { ok: method });
  }
  assert.equal(new Set(t.sent.map((m) => m.id)).size, t.sent.length, 'ids are unique');
});

test('binary parameters are standard base64 with padding, from any ArrayBuffer view', async () => {
  const bytes = new Uint8Array(100_003).map((_, i) => (i * 7919) & 0xff);
  assert.equal(bytesToBase64(bytes), Buffer.from(bytes).toString('base64'));
  assert.equal(bytesToBase64(bytes.buffer), Buffer.from(bytes).toString('base64'));
  const view = new DataView(bytes.buffer, 10, 5);
  assert.equal(bytesToBase64(view), Buffer.from(bytes.subarray(10, 15)).toString('base64'));
  assert.equal(bytesToBase64(new Uint8Array([0xff])), '/w==');
  assert.deepEqual(base64ToBytes('AAEC/w=='), new Uint8Array([0, 1, 2, 255]));
  assert.throws(() => base64ToBytes('not base64!'), (e) => e instanceof FirmanteError && e.reason === 'INVALID_PARAMS');
});

test('agent errors reject with a FirmanteError carrying reason, code and triesLeft', async () => {
  const t = fakeTransport();
  const client = createClient(t);
  const pending = client.signChallenge({ certificate: 'pkcs11:id=%01', nonce: new Uint8Array(16) });
  await settle(1);
  t.fail({ code: -32000, message: 'PIN incorrecto', data: { reason: 'PIN_INCORRECT', triesLeft: 2 } });
  await assert.rejects(pending, (err) => {
    assert.ok(err instanceof FirmanteError);
    assert.ok(err instanceof Error);
    assert.equal(err.reason, 'PIN_INCORRECT');
    assert.equal(err.code, -32000);
    assert.equal(err.triesLeft, 2);
    assert.equal(err.message, 'PIN incorrecto');
    return true;
  });
  const second = client.listTokens();
  await settle(1);
  t.fail({ code: -32601, message: 'Method not found' });
  await assert.rejects(second, { reason: 'METHOD_NOT_FOUND', code: -32601 });
});

test('a PIN is never accepted: the call rejects and nothing is sent', async () => {
  const t = fakeTransport();
  const client = createClient(t);
  await assert.rejects(client.signChallenge({ certificate: 'pkcs11:id=%01', nonce: 'AAAA', pin: '1234' }), (err) => {
    assert.equal(err.reason, 'INVALID_PARAMS');
    assert.doesNotMatch(err.message, /1234/);
    return true;
  });
  await assert.rejects(client.signDocument({ certificate: 'c', document: 'AAAA', fileName: 'a', userPin: '1' }), { reason: 'INVALID_PARAMS' });
  await assert.rejects(client.beginRenewal({ certificate: 'c', password: 'x' }), { reason: 'INVALID_PARAMS' });
  assert.equal(t.sent.length, 0);
});

test('bad parameters reject with INVALID_PARAMS before anything is sent', async () => {
  const t = fakeTransport();
  const client = createClient(t);
  await assert.rejects(client.signChallenge({ certificate: 'c', nonce: 'not base64!' }), { reason: 'INVALID_PARAMS' });
  await assert.rejects(client.signChallenge({ certificate: 'c', nonce: 42 }), { reason: 'INVALID_PARAMS' });
  await assert.rejects(client.signLetter({ renewalId: 'r', stage: 'other', document: 'AAAA', fileName: 'a' }), { reason: 'INVALID_PARAMS' });
  await assert.rejects(client.finishRenewal({ renewalId: 'r' }), { reason: 'INVALID_PARAMS' });
  await assert.rejects(client.listCertificates({ tokn: 'x' }), { reason: 'INVALID_PARAMS' });
  await assert.rejects(client.signDocuments({ certificate: 'c', documents: [] }), { reason: 'INVALID_PARAMS' });
  await assert.rejects(client.signDocuments({ certificate: 'c', documents: new Array(101).fill({ document: 'AA==', fileName: 'a' }) }), { reason: 'INVALID_PARAMS' });
  await assert.rejects(client.signDocuments({ certificate: 'c', documents: [{ document: 'AA==', fileName: 'a', userPin: '1' }] }), { reason: 'INVALID_PARAMS' });
  assert.equal(t.sent.length, 0);
});

test('tokens.changed notifications reach listeners until they are removed', async () => {
  const t = fakeTransport();
  const client = createClient(t);
  const seen = [];
  const fn = (params) => seen.push(params);
  client.on('tokens.changed', fn);
  t.onmessage({ jsonrpc: '2.0', method: 'tokens.changed', params: { n: 1 } });
  t.onmessage({ jsonrpc: '2.0', method: 'other.event', params: { n: 9 } });
  client.off('tokens.changed', fn);
  t.onmessage({ jsonrpc: '2.0', method: 'tokens.changed', params: { n: 2 } });
  assert.deepEqual(seen, [{ n: 1 }]);
});

test('calls time out on the page too: 35 s ordinary, a bit over 5 min when a person is asked', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const tr = fakeTransport();
  const client = createClient(tr);
  const outcomes = {};
  client.listTokens().catch((e) => { outcomes.list = e.reason; });
  client.signDocument({ certificate: 'c', document: 'AAAA', fileName: 'a' }).catch((e) => { outcomes.sign = e.reason; });
  await settle();
  t.mock.timers.tick(35_000);
  await settle();
  assert.deepEqual(outcomes, { list: 'TIMEOUT' });
  t.mock.timers.tick(5 * 60_000 + 5_000 - 35_000);
  await settle();
  assert.deepEqual(outcomes, { list: 'TIMEOUT', sign: 'TIMEOUT' });
});

test('when the transport closes, waiting and later calls reject with AGENT_UNAVAILABLE', async () => {
  const t = fakeTransport();
  const client = createClient(t);
  const pending = client.listTokens();
  await settle(1);
  t.onclose(new FirmanteError('gone', { reason: 'AGENT_UNAVAILABLE' }));
  await assert.rejects(pending, { reason: 'AGENT_UNAVAILABLE' });
  await assert.rejects(client.info(), { reason: 'AGENT_UNAVAILABLE' });
});

test('a request over 16 MiB is refused on the page with TOO_LARGE', async () => {
  const t = fakeTransport();
  const client = createClient(t);
  await assert.rejects(client.signDocument({ certificate: 'c', document: new Uint8Array(13 * 1024 * 1024), fileName: 'a' }), { reason: 'TOO_LARGE' });
  assert.equal(t.sent.length, 0);
});

// ---------------------------------------------------------------- through the real extension code

/** Page + content script (the real file, in a vm) + background core + scripted native host. */
function extensionWorld({ host, origin = PORTAL } = {}) {
  const browser = makeFakeBrowser({ nativeHost: host });
  startBackground({ runtime: browser.runtime });
  const win = new FakePageWindow(origin);
  const runtime = contentScriptRuntime(browser.runtime, pageSender(origin));
  vm.runInNewContext(CONTENT_SCRIPT, { window: win, chrome: { runtime } });
  return { win, browser };
}

function agentHost(extra = {}) {
  return scriptedHost({
    handle: (msg, port) => {
      if (msg.method === 'agent.info') {
        port.deliver({ jsonrpc: '2.0', id: msg.id, result: { version: '0.1.0', protocolVersion: 1 } });
      } else if (msg.method === 'auth.sign_challenge') {
        port.deliver({ jsonrpc: '2.0', id: msg.id, result: { signature: 'c2ln', algorithm: 'RS256', seenOrigin: msg.origin, seenNonce: msg.params.nonce } });
      } else if (msg.method === 'renewal.begin') {
        port.deliver({ jsonrpc: '2.0', id: msg.id, error: { code: -32000, message: 'Cancelado', data: { reason: 'USER_CANCELLED' } } });
      }
    },
    ...extra,
  });
}

test('connect() finds the extension, and calls carry the browser-attested origin to the agent', async () => {
  const { win } = extensionWorld({ host: agentHost() });
  const client = await connect({ window: win, WebSocket: undefined });
  assert.equal(client.transport, 'extension');
  assert.equal(client.agentInfo.protocolVersion, 1);
  const nonce = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6]);
  const result = await client.signChallenge({ certificate: 'pkcs11:id=%01', nonce });
  assert.equal(result.seenOrigin, PORTAL);
  assert.equal(result.seenNonce, Buffer.from(nonce).toString('base64'));
  assert.deepEqual(Firmante.base64ToBytes(result.signature), new TextEncoder().encode('sig'));
  await assert.rejects(client.beginRenewal({ certificate: 'pkcs11:id=%01' }), { reason: 'USER_CANCELLED' });
  assert.ok(win.posts.every((p) => p.targetOrigin === PORTAL), 'nothing is ever posted to "*"');
});

test('agent notifications travel through the extension to page listeners', async () => {
  const { win, browser } = extensionWorld({ host: agentHost() });
  const client = await connect({ window: win, WebSocket: undefined });
  const seen = [];
  client.on('tokens.changed', (p) => seen.push(p));
  browser.nativePorts.at(-1).deliver({ jsonrpc: '2.0', method: 'tokens.changed', params: { present: 0 } });
  await settle();
  assert.deepEqual(seen, [{ present: 0 }]);
});

test('with the extension but no native host, connect() rejects with NATIVE_UNAVAILABLE', async () => {
  const { win } = extensionWorld({ host: undefined });
  await assert.rejects(connect({ window: win, wsPort: 0 }), (err) => {
    assert.ok(err instanceof FirmanteError);
    assert.equal(err.reason, 'NATIVE_UNAVAILABLE');
    return true;
  });
});

test('an agent of another protocol version makes connect() reject with VERSION_MISMATCH', async () => {
  const { win } = extensionWorld({ host: agentHost({ protocolVersion: 7 }) });
  await assert.rejects(connect({ window: win, wsPort: 0 }), { reason: 'VERSION_MISMATCH' });
});

test('without extension and WebSocket, connect() rejects with AGENT_UNAVAILABLE after a short probe', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const win = new FakePageWindow(PORTAL); // no content script listening
  let outcome = null;
  connect({ window: win, WebSocket: undefined, probeMs: 300 }).catch((e) => { outcome = e; });
  await settle();
  t.mock.timers.tick(299);
  await settle();
  assert.equal(outcome, null);
  t.mock.timers.tick(1);
  await settle();
  assert.ok(outcome instanceof FirmanteError);
  assert.equal(outcome.reason, 'AGENT_UNAVAILABLE');
  assert.equal(win.listenerCount, 0, 'the probe removed its listener');
});

test('a page the extension has not marked goes to the WebSocket at once, with no probe wait (issue 14)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const win = new FakePageWindow(PORTAL); // no content script: no mark
  const opened = [];
  class RecordingWebSocket {
    constructor(url) {
      opened.push(url);
      this.readyState = 0;
      setImmediate(() => this.onerror?.({}));
    }
    close() {}
  }
  let outcome = null;
  connect({ window: win, WebSocket: RecordingWebSocket, wsPort: 31999 }).catch((e) => { outcome = e; });
  await settle();
  // No timer has advanced: a fixed wait for the extension would still be pending here.
  assert.deepEqual(opened, ['ws://127.0.0.1:31999']);
  assert.equal(outcome?.reason, 'AGENT_UNAVAILABLE');
  assert.equal(win.posts.length, 0, 'no ping was posted to an unmarked page');
});

test('a refused WebSocket on a page the browser keeps from loopback says LOCAL_NETWORK_DENIED (Local Network Access)', async () => {
  const refusing = class {
    constructor() { setImmediate(() => this.onerror?.({})); }
    close() {}
  };
  const page = (state) => {
    const win = new FakePageWindow('https://idse.example');
    win.navigator = { permissions: { query: async ({ name }) => {
      if (name !== 'local-network-access') throw new TypeError('unknown permission ' + name);
      return { state };
    } } };
    return win;
  };
  await assert.rejects(connect({ window: page('denied'), WebSocket: refusing }),
    (err) => err.reason === 'LOCAL_NETWORK_DENIED' && err.data.localNetworkAccess === 'denied');
  await assert.rejects(connect({ window: page('prompt'), WebSocket: refusing }),
    (err) => err.reason === 'AGENT_UNAVAILABLE' && err.data.localNetworkAccess === 'prompt');
  // A browser without the permission keeps the plain answer.
  await assert.rejects(connect({ window: new FakePageWindow(PORTAL), WebSocket: refusing }),
    (err) => err.reason === 'AGENT_UNAVAILABLE' && err.data?.localNetworkAccess === undefined);
});

test('two clients in one page never take each other\'s answers', async () => {
  const { win } = extensionWorld({ host: agentHost() });
  const a = await connect({ window: win, WebSocket: undefined });
  const b = await connect({ window: win, WebSocket: undefined });
  const [ra, rb] = await Promise.all([
    a.signChallenge({ certificate: 'pkcs11:id=%01', nonce: 'AAAAAAAAAAAAAAAAAAAAAA==' }),
    b.signChallenge({ certificate: 'pkcs11:id=%02', nonce: 'AQEBAQEBAQEBAQEBAQEBAQ==' }),
  ]);
  assert.equal(ra.seenNonce, 'AAAAAAAAAAAAAAAAAAAAAA==');
  assert.equal(rb.seenNonce, 'AQEBAQEBAQEBAQEBAQEBAQ==');
});

test('request() calls any method by name, encodes top-level bytes and refuses PINs', async () => {
  const t = fakeTransport();
  const client = createClient(t);
  const pending = client.request('renewal.sign_letter', { renewalId: 'r', stage: 'terms', document: new Uint8Array([1, 2, 3]), fileName: 'b.pdf' });
  await settle(1);
  assert.deepEqual(t.sent.at(-1).params, { renewalId: 'r', stage: 'terms', document: 'AQID', fileName: 'b.pdf' });
  t.answer({ cms: 'AA==' });
  assert.deepEqual(await pending, { cms: 'AA==' });
  await assert.rejects(client.request('documents.sign', { pin: '0000' }), { reason: 'INVALID_PARAMS' });
  await assert.rejects(client.request('', {}), { reason: 'INVALID_PARAMS' });
  assert.equal(t.sent.length, 1);
});

test('the module-level request() shares one connection per page', async () => {
  const { win, browser } = extensionWorld({ host: agentHost() });
  const first = await Firmante.request('auth.sign_challenge', { certificate: 'pkcs11:id=%01', nonce: new Uint8Array(16) }, { window: win, wsPort: 0 });
  assert.equal(first.seenOrigin, PORTAL);
  assert.equal(first.seenNonce, 'AAAAAAAAAAAAAAAAAAAAAA==');
  const again = await Firmante.request('auth.sign_challenge', { certificate: 'pkcs11:id=%01', nonce: 'AQEBAQEBAQEBAQEBAQEBAQ==' });
  assert.equal(again.seenNonce, 'AQEBAQEBAQEBAQEBAQEBAQ==');
  assert.equal(browser.nativePorts.length, 1);
});
