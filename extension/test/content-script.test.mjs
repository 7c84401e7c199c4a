import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { FakeEvent, FakePort, settle } from '../test-support/fake-browser.mjs';

const SOURCE = readFileSync(new URL('../src/content/content-script.js', import.meta.url), 'utf8');
const ORIGIN = 'http://127.0.0.1:8080';

class FakeWindow {
  listeners = [];
  /** every window.postMessage the content script made: { message, targetOrigin } */
  posted = [];
  constructor(origin) {
    this.location = { origin, href: origin + '/login' };
    const attrs = {};
    this.document = {
      attrs,
      documentElement: { setAttribute: (k, v) => { attrs[k] = v; } },
      addEventListener() {},
    };
  }
  addEventListener(type, fn) {
    if (type === 'message') this.listeners.push(fn);
  }
  postMessage(message, targetOrigin) {
    this.posted.push({ message: structuredClone(message), targetOrigin });
  }
  /** A message event as the browser would dispatch it to this window. */
  dispatch({ data, source = this, origin = this.location.origin }) {
    for (const l of this.listeners) l({ data: structuredClone(data), source, origin });
  }
}

function load(origin = ORIGIN) {
  const win = new FakeWindow(origin);
  const ports = [];
  const runtime = {
    onConnect: new FakeEvent(),
    connect: ({ name }) => {
      const port = new FakePort(name, undefined);
      ports.push(port);
      return port;
    },
  };
  vm.runInNewContext(SOURCE, { window: win, chrome: { runtime } });
  return { win, ports };
}

const request = (id, method = 'tokens.list') => ({ firmante: 'request', request: { jsonrpc: '2.0', id, method } });
const repliesOf = (win) => win.posted.filter((p) => p.message.firmante === 'response').map((p) => p.message.response);

test('the content script announces itself with a ready message and an attribute on <html>', () => {
  const { win } = load();
  assert.equal(win.document.attrs['data-firmante-extension'], '1');
  assert.deepEqual(win.posted, [{ message: { firmante: 'ready', protocolVersion: 1 }, targetOrigin: ORIGIN }]);
});

test('a ping is answered with ready so a late page script can detect the extension', () => {
  const { win, ports } = load();
  win.dispatch({ data: { firmante: 'ping' } });
  assert.equal(win.posted.length, 2);
  assert.equal(win.posted[1].message.firmante, 'ready');
  assert.equal(ports.length, 1, 'the port opens so notifications can flow');
});

test('messages from another window, another origin or without our tag are ignored', () => {
  const { win, ports } = load();
  const otherWindow = {};
  win.dispatch({ data: request(1), source: otherWindow });
  win.dispatch({ data: request(2), origin: 'http://localhost:8080' });
  win.dispatch({ data: request(3), origin: 'null' });
  win.dispatch({ data: { request: { jsonrpc: '2.0', id: 4, method: 'tokens.list' } } });
  win.dispatch({ data: { jsonrpc: '2.0', id: 5, method: 'tokens.list' } });
  win.dispatch({ data: 'firmante' });
  win.dispatch({ data: { firmante: 'ping' }, source: otherWindow });
  assert.equal(ports.length, 0, 'nothing reached the background');
  assert.equal(win.posted.length, 1, 'only the initial ready announcement');
});

test('a tagged request is relayed once and the answer is posted to the page origin only', async () => {
  const { win, ports } = load();
  win.dispatch({ data: request(42, 'agent.info') });
  assert.equal(ports.length, 1);
  assert.deepEqual(ports[0].posted, [{ jsonrpc: '2.0', id: 42, method: 'agent.info' }]);
  ports[0].deliver({ jsonrpc: '2.0', id: 42, result: { protocolVersion: 1 } });
  assert.deepEqual(repliesOf(win), [{ jsonrpc: '2.0', id: 42, result: { protocolVersion: 1 } }]);
  assert.ok(win.posted.every((p) => p.targetOrigin === ORIGIN), 'never posted to "*" or another origin');
  // A second request reuses the same port.
  win.dispatch({ data: request(43) });
  assert.equal(ports.length, 1);
  assert.equal(ports[0].posted.length, 2);
});

test('our own replies echoed back to the window are not relayed again', () => {
  const { win, ports } = load();
  win.dispatch({ data: { firmante: 'response', response: { jsonrpc: '2.0', id: 1, result: {} } } });
  win.dispatch({ data: { firmante: 'event', event: { jsonrpc: '2.0', method: 'tokens.changed' } } });
  assert.equal(ports.length, 0);
});

test('agent notifications reach the page tagged as events', () => {
  const { win, ports } = load();
  win.dispatch({ data: { firmante: 'ping' } });
  ports[0].deliver({ jsonrpc: '2.0', method: 'tokens.changed', params: { present: 1 } });
  const events = win.posted.filter((p) => p.message.firmante === 'event');
  assert.deepEqual(events, [{ message: { firmante: 'event', event: { jsonrpc: '2.0', method: 'tokens.changed', params: { present: 1 } } }, targetOrigin: ORIGIN }]);
});

test('an oversized request is refused with TOO_LARGE without reaching the background', () => {
  const { win, ports } = load();
  const big = { firmante: 'request', request: { jsonrpc: '2.0', id: 9, method: 'documents.sign', params: { document: 'A'.repeat(16 * 1024 * 1024) } } };
  win.dispatch({ data: big });
  assert.equal(ports.length, 0);
  const [reply] = repliesOf(win);
  assert.equal(reply.id, 9);
  assert.equal(reply.error.data.reason, 'TOO_LARGE');
});

test('a request that is not an object gets INVALID_REQUEST', () => {
  const { win, ports } = load();
  win.dispatch({ data: { firmante: 'request', request: 'tokens.list' } });
  assert.equal(ports.length, 0);
  assert.equal(repliesOf(win)[0].error.data.reason, 'INVALID_REQUEST');
});

test('when the background goes away pending calls fail and the next call reconnects', async () => {
  const { win, ports } = load();
  win.dispatch({ data: request(1) });
  win.dispatch({ data: request(1) }); // same id twice: both must be answered
  ports[0].disconnected = true;
  ports[0].onDisconnect.emit(ports[0]);
  const failed = repliesOf(win);
  assert.deepEqual(failed.map((r) => [r.id, r.error.data.reason]), [[1, 'NATIVE_UNAVAILABLE'], [1, 'NATIVE_UNAVAILABLE']]);
  win.dispatch({ data: request(2) });
  assert.equal(ports.length, 2);
  assert.deepEqual(ports[1].posted, [{ jsonrpc: '2.0', id: 2, method: 'tokens.list' }]);
  await settle(1);
});

test('a page with an opaque origin gets no bridge', () => {
  const { win, ports } = load('null');
  assert.equal(win.listeners.length, 0);
  assert.equal(win.posted.length, 0);
  assert.equal(ports.length, 0);
});
