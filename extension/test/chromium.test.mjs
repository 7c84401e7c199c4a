// The built extension in a real headless Chromium (when installed), with a
// fake native host registered in a private profile: the page API finds the
// extension, the browser attests the origin, the popup renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, PAGE_SCRIPT, runInChromium } from '../test-support/chromium-smoke.mjs';
import { readAllowlist } from '../tools/manifest-tools.mjs';

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed`;

if (!skip && typeof globalThis.WebSocket === 'undefined') {
  // CDP needs a WebSocket client; node 20 has one behind a flag.
  test('the Chromium tests pass under --experimental-websocket', () => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const run = spawnSync(process.execPath, ['--experimental-websocket', '--test', fileURLToPath(import.meta.url)],
      { env, encoding: 'utf8', timeout: 150_000 });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /# pass [1-9]/);
    assert.match(run.stdout, /# fail 0/);
    assert.match(run.stdout, /# skipped 0/);
  });
} else {
  test('in Chromium a page reaches the agent through the extension with its origin attested, and the popup shows the agent', { skip, timeout: 60_000 }, async () => {
    await runInChromium(async ({ openTab, origin, extensionBase, until }) => {
      const page = await openTab(origin + '/');
      const result = await page(PAGE_SCRIPT);
      assert.equal(result.transport, 'extension');
      assert.equal(result.mark, '1');
      assert.equal(result.signed.echo.method, 'auth.sign_challenge');
      assert.equal(result.signed.echo.origin, origin);
      assert.equal(result.signed.echo.params.nonce, 'AAAAAAAAAAAAAAAAAAAAAA==');
      assert.deepEqual(result.event, { fake: true });
      assert.equal(result.tokens.tokens[0].label, 'Fake token');

      // A page that bypasses the API and names another origin is still identified by its own.
      const forged = await page(`new Promise((resolve) => {
        addEventListener('message', (e) => { if (e.data?.firmante === 'response' && e.data.response.id === 'forged') resolve(e.data.response); });
        postMessage({ firmante: 'request', request: { jsonrpc: '2.0', id: 'forged', method: 'test.echo', origin: 'https://idse.imss.gob.mx' } }, location.origin);
      })`);
      assert.equal(forged.result.echo.origin, origin);

      const popup = await openTab(extensionBase + 'popup/popup.html');
      const view = await until('the popup to fill in', async () => {
        const v = await popup(`({ state: document.getElementById('agent-status').dataset.state,
          status: document.getElementById('agent-status').textContent,
          tokens: document.getElementById('tokens').textContent,
          sites: [...document.querySelectorAll('#sites li')].map((li) => li.textContent) })`);
        return v.state !== 'checking' && v.tokens !== '' && v;
      }, 20_000);
      assert.equal(view.state, 'connected');
      assert.match(view.status, /0\.0\.0-fake/);
      assert.match(view.tokens, /Fake token/);
      assert.deepEqual(view.sites, readAllowlist().matches);
    });
  });

  test('in Chromium without a native host the page API reports NATIVE_UNAVAILABLE', { skip, timeout: 60_000 }, async () => {
    await runInChromium(async ({ openTab, origin }) => {
      const page = await openTab(origin + '/');
      const reason = await page(`(async () => {
        const { Firmante } = await import('/firmante.js');
        try { await Firmante.connect({ wsPort: 0 }); return 'connected?'; } catch (e) { return e.reason; }
      })()`);
      assert.equal(reason, 'NATIVE_UNAVAILABLE');
    }, { withHost: false });
  });
}
