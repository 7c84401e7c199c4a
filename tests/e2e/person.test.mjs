// Issue 14: what a person meets when something goes wrong, in the real browsers. The error shows
// next to the button that was pressed, in plain Spanish with the reason word only on a details
// line; the button is busy while Firmante's own window waits; the agent dying mid-prompt reaches
// the page within 5 s; "not running" is told from "not installed"; the popup reads status
// without any consent question.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';

import { controlState, errorNextTo, promptOpen } from './lib/person.mjs';
import { loginWith } from './lib/story.mjs';
import { EXTENSION_ID, inWorld } from './lib/world.mjs';

const SPANISH_CHROMIUM = '/usr/lib/chromium/locales/es-419.pak'; // Debian's chromium-l10n

test('a wrong PIN: the button is busy while Firmante asks, then the error sits next to it with "intente de nuevo"', async () => {
  await inWorld({ transport: 'native-messaging', name: 'person-pin-incorrecto' }, async (world) => {
    const d = world.driver;
    await loginWith(world, d, { expired: true });
    await world.answer('hold pin 000000');
    await d.click('#ingresar');
    const prompt = await promptOpen(world);
    const busy = await controlState(d, '#ingresar');
    assert.equal(busy.busy, 'Confirme en la ventana de Firmante…');
    assert.equal(busy.disabled, true, 'the button cannot be pressed twice');
    assert.equal(busy.ariaBusy, 'true');
    await world.screenshot(1, 'ocupado-confirme-en-firmante');
    await prompt.release();

    const failed = await errorNextTo(d, '#ingresar');
    assert.match(failed.error, /^El PIN no es correcto\. Intente de nuevo\./);
    assert.match(failed.error, /\nDetalle técnico: PIN_INCORRECT$/);
    assert.doesNotMatch(failed.error.split('\n')[0], /[A-Z]{4,}_[A-Z]+|\[/, 'no raw code in the sentence');
    assert.equal(failed.inView, true, 'the person sees it without scrolling');
    assert.equal(failed.pageWideError, null, 'not in a box far from the button');
    assert.equal(failed.disabled, false, 'the person can try again');
    assert.equal(failed.busy, null);
    await world.screenshot(2, 'pin-incorrecto');

    // And trying again with the right PIN works from the same screen.
    await world.answer('pin 123456');
    await d.click('#ingresar');
    await d.waitVisible('#caducado');
    assert.equal((await controlState(d, '#ingresar')).error, null, 'the old error is gone');
  });
});

test('the agent dying while its PIN window is open reaches the page within 5 seconds', async () => {
  await inWorld({ transport: 'native-messaging', name: 'person-agente-detenido' }, async (world) => {
    const d = world.driver;
    await loginWith(world, d, { expired: true });
    await world.answer('hold pin 123456');
    await d.click('#ingresar');
    const prompt = await promptOpen(world);
    const killed = Date.now();
    world.agent.child.kill('SIGKILL');
    try {
      const failed = await errorNextTo(d, '#ingresar', 5_000);
      const tookMs = Date.now() - killed;
      assert.match(failed.error, /^El agente Firmante no está en ejecución/);
      assert.match(failed.error, /Detalle técnico: AGENT_NOT_RUNNING$/);
      process.stdout.write(`# agent death → error on the page: ${tookMs} ms\n`);
      await world.screenshot(1, 'agente-detenido');
    } finally {
      await prompt.release(); // the orphaned pinentry leaves
    }
  });
});

test('"not running" and "not installed" read differently, each with what to do', async () => {
  await inWorld({ transport: 'native-messaging', name: 'person-no-instalado' }, async (world) => {
    const d = world.driver;
    await world.agent.stop(); // the host finds no agent and may not start one (FIRMANTE_AGENT=/bin/false)
    await d.goto(world.url('/'));
    await d.click('#buscar');
    const notRunning = await errorNextTo(d, '#buscar');
    assert.match(notRunning.error, /^El agente Firmante no está en ejecución: .*Inícielo/);
    assert.match(notRunning.error, /Detalle técnico: AGENT_NOT_RUNNING$/);
    await world.screenshot(1, 'agente-no-en-ejecucion');

    await rm(path.join(world.dir, 'chromium-profile', 'NativeMessagingHosts', 'org.firmante.agent.json'));
    await d.goto(world.url('/'));
    await d.click('#buscar');
    const notInstalled = await errorNextTo(d, '#buscar');
    assert.match(notInstalled.error, /^El agente Firmante no está instalado en este equipo.*Instálelo/);
    assert.match(notInstalled.error, /Detalle técnico: NATIVE_UNAVAILABLE$/);
    await world.screenshot(2, 'agente-no-instalado');
  });
});

test('the popup shows the agent, the token and the renewal by site and step, and never asks for consent', async () => {
  await inWorld({ transport: 'native-messaging', name: 'person-popup' }, async (world) => {
    // A renewal begun by the portal's origin (as the CLI does for a portal), at the manual's step 4.
    const begun = await world.beginRenewal();
    assert.ok(begun.result?.renewalId, JSON.stringify(begun));
    const promptsBefore = (await world.promptsShown()).length;

    const popup = world.page;
    await popup.setViewportSize({ width: 380, height: 420 });
    await popup.goto(`chrome-extension://${EXTENSION_ID}/popup/popup.html`);
    await popup.locator('#agent-status[data-state="connected"]').waitFor();
    // The texts follow the browser's own language: es-MX ("usted") in a Spanish Chromium (the world
    // starts it in Spanish), English where Debian's chromium has no chromium-l10n (en-US only).
    // textContent, not innerText: the heading is upper-cased by CSS.
    const spanish = (await popup.textContent('[data-i18n="agentTitle"]')).trim() === 'Agente';
    assert.equal(spanish, existsSync(SPANISH_CHROMIUM), `Spanish popup exactly when ${SPANISH_CHROMIUM} is installed`);
    const expected = spanish
      ? { status: /^Conectado \(agente \d+\.\d+\.\d+\)$/, renewal: `${world.allowedOrigin} — paso 4 de 12: llave nueva generada en su token` }
      : { status: /^Connected \(agent \d+\.\d+\.\d+\)$/, renewal: `${world.allowedOrigin} — step 4 of 12: new key generated on your token` };
    assert.match(await popup.innerText('#agent-status'), expected.status, 'the version agent.info sends, not "?"');
    await popup.locator('#tokens li', { hasText: 'Firmante E2E' }).waitFor();
    const renewal = popup.locator('#renewals li');
    await renewal.filter({ hasText: world.allowedOrigin }).waitFor();
    assert.equal(await renewal.innerText(), expected.renewal);
    await world.screenshot(1, 'popup-chromium');

    assert.equal((await world.promptsShown()).length, promptsBefore, 'no question to the person about the popup');
    const log = await world.agent.output();
    assert.match(log, new RegExp(`tokens\\.list from chrome-extension://${EXTENSION_ID}`));
    assert.match(log, new RegExp(`renewal\\.status from chrome-extension://${EXTENSION_ID}`));
  });
});
