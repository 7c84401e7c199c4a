// Issue 14: what a person meets in Firefox when the agent is not there, and the popup in Firefox.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { errorNextTo } from '../lib/person.mjs';
import { inWorld } from '../lib/world.mjs';

test('in Firefox too the error sits next to the button: the agent is not running', async () => {
  await inWorld({ transport: 'native-messaging', browser: 'firefox', name: 'person-firefox' }, async (world) => {
    const d = world.driver;
    await world.agent.stop();
    await d.goto(world.url('/'));
    await d.click('#buscar');
    const notRunning = await errorNextTo(d, '#buscar');
    assert.match(notRunning.error, /^El agente Firmante no está en ejecución/);
    assert.match(notRunning.error, /Detalle técnico: AGENT_NOT_RUNNING$/);
    assert.equal(notRunning.inView, true);
    await world.screenshot(1, 'firefox-agente-no-en-ejecucion');
  });
});
