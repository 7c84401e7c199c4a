// Issue 14: the twelve-step renewal in Firefox ESR, through the Firefox build of the extension
// (a temporary add-on installed over WebDriver BiDi by puppeteer-core) and native messaging.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { inWorld, webSocketAvailable } from '../lib/world.mjs';
import { assertLettersShown, renewThroughThePortal } from '../lib/story.mjs';

test('a person renews the expired certificate in Firefox through the extension and native messaging', async () => {
  await inWorld({ transport: 'native-messaging', browser: 'firefox' }, async (world) => {
    const { letters } = await renewThroughThePortal(world);
    await assertLettersShown(world, letters);
    const extensionMarked = await world.driver.evaluate(() => document.documentElement.dataset.firmanteExtension);
    assert.equal(extensionMarked, '1', 'the Firefox extension carried the requests');
    // The agent saw the Firefox add-on's own handshake: the extension, not a WebSocket, carried it.
    assert.match(await world.agent.output(), /agent\.info from moz-extension:\/\/[0-9a-f-]{36}/);
  });
});

// A Firefox without the extension reaches the agent over its WebSocket (the page API's fallback).
test('a person renews the expired certificate in Firefox without the extension, over the agent WebSocket',
  { skip: !webSocketAvailable() && 'the agent has no WebSocket transport (agent/websocket)' }, async () => {
    await inWorld({ transport: 'websocket', browser: 'firefox' }, async (world) => {
      const { letters } = await renewThroughThePortal(world);
      await assertLettersShown(world, letters);
      const extensionMarked = await world.driver.evaluate(() => document.documentElement.dataset.firmanteExtension);
      assert.equal(extensionMarked, undefined, 'no extension in this browser');
      assert.match(await world.agent.output(), /websocket.*connection \d+ from http:\/\/127\.0\.0\.1:\d+/);
    });
  });

