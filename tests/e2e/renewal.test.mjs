// Issue 6: the whole twelve-step IDSE renewal in a real headless Chromium, against the reference
// portal, the real agent on a SoftHSM token, and the fake pinentry standing in for the person.
// Once through the extension and native messaging, once with no extension over the WebSocket.
// Firefox: firefox/renewal.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { inWorld, webSocketAvailable } from './lib/world.mjs';
import { assertLettersShown, renewThroughThePortal } from './lib/story.mjs';

test('a person renews the expired certificate in Chromium through the extension and native messaging', async () => {
  await inWorld({ transport: 'native-messaging' }, async (world) => {
    const { letters } = await renewThroughThePortal(world);
    await assertLettersShown(world, letters);
    const extensionMarked = await world.driver.evaluate(() => document.documentElement.dataset.firmanteExtension);
    assert.equal(extensionMarked, '1', 'the extension carried the requests');
  });
});

test('a person renews the expired certificate in Chromium without the extension, over the agent WebSocket',
  { skip: !webSocketAvailable() && 'the agent has no WebSocket transport yet (agent/websocket)' }, async () => {
    await inWorld({ transport: 'websocket' }, async (world) => {
      const { letters } = await renewThroughThePortal(world);
      await assertLettersShown(world, letters);
      const extensionMarked = await world.driver.evaluate(() => document.documentElement.dataset.firmanteExtension);
      assert.equal(extensionMarked, undefined, 'no extension in this browser');
    });
  });
