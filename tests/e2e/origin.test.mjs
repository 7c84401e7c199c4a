// The origin is the browser's word, never the page's (DESIGN §3.3): a page outside the agent's
// allowlist, whose person says no, gets nothing through either transport; a page that writes
// another origin into its message is still identified, and its signatures bound, by its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';

import { controlState, promptOpen } from './lib/person.mjs';
import { inWorld, webSocketAvailable } from './lib/world.mjs';

const FOREIGN = 'https://idse.imss.gob.mx';
const noWebSocket = !webSocketAvailable() && 'the agent has no WebSocket transport yet (agent/websocket)';

/** The login challenge's message: SHA-256(origin) ‖ SHA-256(nonce) (conventions: origin-bound challenge). */
function boundVerifies(origin, nonce, result) {
  const message = Buffer.concat([
    createHash('sha256').update(origin, 'utf8').digest(), createHash('sha256').update(nonce).digest()]);
  const key = new X509Certificate(Buffer.from(result.certificate, 'base64')).publicKey;
  return verify('sha256', message, key, Buffer.from(result.signature, 'base64'));
}

/** Opens the portal from a host outside the allowlist, the person refuses, the page gets nothing. */
async function refusedOrigin(world, reasonShown) {
  assert.notEqual(world.origin, world.allowedOrigin);
  await world.answer('confirm no');
  await world.page.goto(world.url('/'));
  await world.page.click('#buscar');
  // Issue 14: shown right after the button that was pressed, the reason word on a details line.
  const error = world.page.locator('#buscar + .ocupado + .error-control');
  await error.waitFor({ state: 'visible' });
  assert.match(await error.innerText(), reasonShown);
  await world.screenshot(1, 'origen-rechazado');
  assert.equal(await world.page.locator('#certificado option', { hasText: 'PRUEBA 4' }).count(), 0,
    'no certificate reached the page');
  const prompts = await world.promptsShown();
  assert.equal(prompts.length, 1, 'the person was asked once: ' + JSON.stringify(prompts));
  assert.equal(prompts[0].command, 'CONFIRM');
  assert.ok(prompts[0].description.includes(`¿Permitir que ${world.origin} use sus certificados?`), prompts[0].description);
  assert.notEqual(prompts[0].answer, 'yes');
  assert.match(await world.agent.output(), new RegExp(`origin refused by the person: ${world.origin.replace(/[.]/g, '\\.')}`));
}

test('a page on an origin outside the allowlist gets ORIGIN_NOT_ALLOWED through the extension when the person refuses', async () => {
  await inWorld({ transport: 'native-messaging', pageHost: 'localhost', name: 'origin-native-messaging' },
    (world) => refusedOrigin(world, /^Este sitio no está autorizado para usar sus certificados\.\s+Detalle técnico: ORIGIN_NOT_ALLOWED$/));
});

// Over the WebSocket the refusal is the upgrade's HTTP 403: a browser tells the page only that the
// socket failed, so the page API reports that no agent is reachable.
test('a page on an origin outside the allowlist cannot open the agent WebSocket when the person refuses',
  { skip: noWebSocket }, async () => {
    await inWorld({ transport: 'websocket', pageHost: 'localhost', name: 'origin-websocket' },
      (world) => refusedOrigin(world, /^No se encontró el agente Firmante en este equipo\..*\s+Detalle técnico: AGENT_UNAVAILABLE$/s));
  });

// Issue 14: over the WebSocket the agent holds the upgrade while it asks (then 503 with
// Retry-After). The page must wait for the person's answer, saying so next to the button, and go
// on once the person allows the site, instead of failing while the question is on screen.
test('a page outside the allowlist waits over the WebSocket while the person is asked, then goes on once allowed',
  { skip: noWebSocket }, async () => {
    await inWorld({ transport: 'websocket', pageHost: 'localhost', name: 'origin-websocket-consent-wait' }, async (world) => {
      const d = world.driver;
      await world.answer('hold confirm yes');
      await d.goto(world.url('/'));
      await d.click('#buscar');
      const prompt = await promptOpen(world);
      // The first upgrade is held past the page's 5 s deadline: the page says what it waits for.
      await d.waitUntil(() => [...document.querySelectorAll('.ocupado')].some((e) => !e.classList.contains('oculto') &&
        e.innerText.startsWith('Firmante le pregunta si este sitio puede usar sus certificados')), undefined, 20_000);
      const waiting = await controlState(d, '#buscar');
      assert.equal(waiting.error, null, 'no error while the question is open');
      assert.equal(waiting.disabled, true);
      await world.screenshot(1, 'esperando-respuesta-sitio');
      await prompt.release();
      await d.waitUntil(() => document.querySelectorAll('#certificado option[value^="pkcs11:"]').length > 0, undefined, 20_000);
      assert.equal((await d.text('#certificado')).includes('PRUEBA 4'), true);
      const after = await controlState(d, '#buscar');
      assert.equal(after.error, null);
      assert.equal(after.busy, null);
      const prompts = await world.promptsShown();
      assert.equal(prompts.length, 1, 'asked once, although the page connected more than once: ' + JSON.stringify(prompts));
      assert.ok(prompts[0].description.includes(`¿Permitir que ${world.origin} use sus certificados?`), prompts[0].description);
      const log = await world.agent.output();
      assert.match(log, new RegExp(`certificates\\.list from ${world.origin.replace(/[.]/g, '\\.')}`));
    });
  });

test('a page that writes another origin into its extension message is still identified by its own', async () => {
  await inWorld({ transport: 'native-messaging', name: 'origin-forged-native-messaging' }, async (world) => {
    const { page } = world;
    await page.goto(world.url('/'));
    await page.waitForFunction(() => document.documentElement.dataset.firmanteExtension === '1');
    const nonce = randomBytes(32);
    await world.answer('pin 123456');
    // By hand, as a hostile page would: the content script's message, with an origin of its choosing.
    const result = await page.evaluate(async ({ foreign, nonceB64 }) => {
      const call = (id, method, params) => new Promise((resolve) => {
        const listen = (event) => {
          const m = event.data;
          if (event.source !== window || !m || m.firmante !== 'response' || m.response.id !== id) return;
          window.removeEventListener('message', listen);
          resolve(m.response);
        };
        window.addEventListener('message', listen);
        window.postMessage({ firmante: 'request', origin: foreign,
          request: { jsonrpc: '2.0', id, method, params, origin: foreign } }, window.location.origin);
      });
      const list = await call('forged-1', 'certificates.list', {});
      const uri = list.result.certificates[0].uri;
      return call('forged-2', 'auth.sign_challenge', { certificate: uri, nonce: nonceB64 });
    }, { foreign: FOREIGN, nonceB64: nonce.toString('base64') });
    assert.ok(result.result, 'signed: ' + JSON.stringify(result));
    assert.equal(boundVerifies(world.origin, nonce, result.result), true, 'bound to the page’s own origin');
    assert.equal(boundVerifies(FOREIGN, nonce, result.result), false, 'not to the origin the page wrote');
    const [prompt] = await world.promptsShown();
    assert.ok(prompt.description.startsWith(`Sitio: ${world.origin}\n`), prompt.description);
    assert.ok(!JSON.stringify(await world.promptsShown()).includes('imss.gob.mx'));
    assert.ok(!(await world.agent.output()).includes('imss.gob.mx'), 'the agent never saw the forged origin');
  });
});

test('a page that writes another origin into its WebSocket message is still identified by its own',
  { skip: noWebSocket }, async () => {
    await inWorld({ transport: 'websocket', name: 'origin-forged-websocket' }, async (world) => {
      const { page } = world;
      await page.goto(world.url('/'));
      const nonce = randomBytes(32);
      await world.answer('pin 123456');
      const result = await page.evaluate(async ({ foreign, nonceB64, port }) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}`);
        const answers = new Map();
        const waiting = new Map();
        ws.onmessage = (event) => {
          const m = JSON.parse(event.data);
          if (waiting.has(m.id)) waiting.get(m.id)(m); else answers.set(m.id, m);
        };
        await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
        const call = (id, method, params) => new Promise((resolve) => {
          waiting.set(id, resolve);
          ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params, origin: foreign }));
        });
        const list = await call(1, 'certificates.list', {});
        if (!list.result) return list;
        const signed = await call(2, 'auth.sign_challenge', { certificate: list.result.certificates[0].uri, nonce: nonceB64 });
        ws.close();
        return signed;
      }, { foreign: FOREIGN, nonceB64: nonce.toString('base64'), port: world.wsPort });
      assert.ok(result.result, 'signed: ' + JSON.stringify(result));
      assert.equal(boundVerifies(world.origin, nonce, result.result), true, 'bound to the page’s own origin');
      assert.equal(boundVerifies(FOREIGN, nonce, result.result), false, 'not to the origin the page wrote');
      const [prompt] = await world.promptsShown();
      assert.ok(prompt.description.startsWith(`Sitio: ${world.origin}\n`), prompt.description);
      assert.ok(!(await world.agent.output()).includes('imss.gob.mx'), 'the agent never used the forged origin');
    });
  });
