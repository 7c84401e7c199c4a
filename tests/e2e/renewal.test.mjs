// Issue 6: the whole twelve-step IDSE renewal in a real headless Chromium, against the reference
// portal, the real agent on a SoftHSM token, and the fake pinentry standing in for the person.
// Once through the extension and native messaging, once with no extension over the WebSocket.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { World, PIN, webSocketAvailable } from './lib/world.mjs';
import { renewThroughThePortal } from './lib/story.mjs';

/** Runs `body(world)`; on failure the agent's and portal's logs go with the error. */
async function inWorld(options, body) {
  const world = new World(options);
  try {
    await world.start();
    await body(world);
  } catch (e) {
    const logs = await world.diagnostics().catch(() => '');
    if (world.page) await world.page.screenshot({ path: `${world.artefacts}/failure.png`, fullPage: true }).catch(() => {});
    e.message += `\n(artefacts in ${world.artefacts})\n${logs}`;
    throw e;
  } finally {
    await world.stop();
  }
}

/** Each letter's signature was shown to the person with the portal's origin, file name and hash. */
async function assertLettersShown(world, letters) {
  const prompts = await world.promptsShown();
  for (const [stage, letter] of Object.entries(letters)) {
    const shown = prompts.filter((p) => p.command === 'GETPIN' && (p.description ?? '').includes(letter.fileName));
    assert.equal(shown.length, 1, `one PIN prompt for the ${stage} letter ${letter.fileName}`);
    const description = shown[0].description;
    assert.match(description, new RegExp(`Sitio: ${world.origin.replace(/[.]/g, '\\.')}\\n`), `${stage}: the portal's origin`);
    assert.ok(description.toLowerCase().includes(`sha-256: ${letter.sha256}`),
      `${stage}: the SHA-256 of the bytes the portal served (${letter.sha256}) in:\n${description}`);
    assert.equal(shown[0].answer, 'pin');
  }
  const everything = JSON.stringify(prompts);
  assert.ok(!everything.includes(PIN), 'the PIN itself is never recorded');
  // The one question that is not a PIN: deleting the old pair at step 12. No consent question
  // about the site: the portal is on the allowlist.
  const questions = prompts.filter((p) => p.command !== 'GETPIN');
  assert.equal(questions.length, 1, JSON.stringify(questions));
  assert.match(questions[0].description, /¿Eliminar del token el certificado anterior y su llave\?/);
  assert.equal(questions[0].answer, 'yes');
}

test('a person renews the expired certificate in Chromium through the extension and native messaging', async () => {
  await inWorld({ transport: 'native-messaging' }, async (world) => {
    const { letters } = await renewThroughThePortal(world);
    await assertLettersShown(world, letters);
    const extensionMarked = await world.page.evaluate(() => document.documentElement.dataset.firmanteExtension);
    assert.equal(extensionMarked, '1', 'the extension carried the requests');
  });
});

test('a person renews the expired certificate in Chromium without the extension, over the agent WebSocket',
  { skip: !webSocketAvailable() && 'the agent has no WebSocket transport yet (agent/websocket)' }, async () => {
    await inWorld({ transport: 'websocket' }, async (world) => {
      const { letters } = await renewThroughThePortal(world);
      await assertLettersShown(world, letters);
      const extensionMarked = await world.page.evaluate(() => document.documentElement.dataset.firmanteExtension);
      assert.equal(extensionMarked, undefined, 'no extension in this browser');
    });
  });
