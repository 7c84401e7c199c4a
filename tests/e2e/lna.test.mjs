// Issue 14, Local Network Access: Chromium asks the person before a *public* site reaches a
// loopback WebSocket (Chrome 142+, WebSockets from 147). The portal is made public to the browser
// with --ip-address-space-overrides; the agent's log is the independent witness of what arrived.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { errorNextTo } from './lib/person.mjs';
import { inWorld, webSocketAvailable } from './lib/world.mjs';

const noWebSocket = !webSocketAvailable() && 'the agent has no WebSocket transport (agent/websocket)';
const publicPortal = (world) => [`--ip-address-space-overrides=127.0.0.1:${world.portalPort}=public`];

/** Clicks "Buscar certificados" and waits for the certificates or the error next to the button. */
async function searchCertificates(d) {
  await d.click('#buscar');
  await d.waitUntil(() => document.querySelectorAll('#certificado option[value^="pkcs11:"]').length > 0 ||
    [...document.querySelectorAll('.error-control')].some((e) => !e.classList.contains('oculto')));
}

test('a public portal reaches the agent WebSocket only once the person allows local network access',
  { skip: noWebSocket }, async () => {
    await inWorld({ transport: 'websocket', name: 'lna-websocket', chromiumArgs: publicPortal }, async (world) => {
      const d = world.driver;
      const agentSaw = async () => (await world.agent.output()).includes(`certificates.list from ${world.origin}`);

      // Headless Chromium has nobody to ask, so the question ends refused, as after a person's
      // "Bloquear": the WebSocket fails at once, the page says why and how to undo it or use the
      // extension instead, and nothing reached the agent.
      await d.goto(world.url('/'));
      await searchCertificates(d);
      const refused = await errorNextTo(d, '#buscar');
      assert.match(refused.error, /^Su navegador no permite que este sitio se comunique con el agente Firmante de su equipo\. Instale la extensión Firmante/);
      assert.match(refused.error, /Detalle técnico: LOCAL_NETWORK_DENIED$/);
      assert.equal(await agentSaw(), false);
      await world.screenshot(1, 'lna-bloqueado');

      // The person allowed it: the same page lists the token's certificates over the WebSocket.
      const cdp = await world.context.newCDPSession(world.page);
      const allowed = [];
      for (const name of ['local-network-access', 'loopback-network', 'local-network']) {
        // Chromium 142 has the first name, 145 added the finer two; grant whichever it knows.
        await cdp.send('Browser.setPermission', { permission: { name }, setting: 'granted', origin: world.origin })
          .then(() => allowed.push(name), () => {});
      }
      assert.ok(allowed.length > 0, 'Chromium knows a local network permission');
      await d.goto(world.url('/'));
      await searchCertificates(d);
      assert.equal((await d.text('#certificado')).includes('PRUEBA 4'), true, await d.text('main'));
      assert.equal(await agentSaw(), true, 'the agent served the public origin once allowed');
    });
  });

test('through the extension a public portal needs no local network permission', async () => {
  await inWorld({ transport: 'native-messaging', name: 'lna-extension', chromiumArgs: publicPortal }, async (world) => {
    const d = world.driver;
    await d.goto(world.url('/'));
    await searchCertificates(d);
    assert.equal((await d.text('#certificado')).includes('PRUEBA 4'), true, await d.text('main'));
    assert.match(await world.agent.output(), new RegExp(`certificates\\.list from ${world.origin.replace(/[.]/g, '\\.')}`));
  });
});
