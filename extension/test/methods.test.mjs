// One table of methods (issue 10 §2): protocol/methods.json. The agent registers exactly its rows;
// the extension's relay and the page API read their per-method facts (prompts, renewal steps,
// what the popup may call) from modules generated from it. These tests keep them the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  EXTENSION_METHODS_JS, PAGE_API_METHODS_JS, extensionModule, pageApiModule, readTable,
} from '../tools/methods.mjs';
import { POPUP_METHODS, isPromptingMethod, isRenewalStep, timeoutFor, TIMEOUTS } from '../src/lib/protocol.js';

test('the committed methods.js files are what tools/methods.mjs generates from methods.json', () => {
  assert.equal(readFileSync(EXTENSION_METHODS_JS, 'utf8'), extensionModule(),
    'src/lib/methods.js is stale: run node extension/tools/methods.mjs');
  assert.equal(readFileSync(PAGE_API_METHODS_JS, 'utf8'), pageApiModule(),
    'page-api/src/methods.js is stale: run node extension/tools/methods.mjs, then node extension/tools/page-api.mjs');
});

test('a prompting method added to the table changes both generated files, so drift is caught', () => {
  const table = [...readTable(), { name: 'keys.new_thing', prompts: true, renewalStep: false, extensionPages: false }];
  assert.match(extensionModule(table), /'keys\.new_thing'/);
  assert.match(pageApiModule(table), /'keys\.new_thing'/);
});

test('the relay follows the table row by row', () => {
  const rows = readTable();
  assert.ok(rows.length >= 13, `methods.json has only ${rows.length} rows`);
  for (const row of rows) {
    assert.equal(isPromptingMethod(row.name), row.prompts, `${row.name}: prompts`);
    assert.equal(isRenewalStep(row.name), row.renewalStep, `${row.name}: renewalStep`);
    assert.equal(POPUP_METHODS.has(row.name), row.extensionPages, `${row.name}: extensionPages`);
    assert.equal(timeoutFor(row.name), row.prompts ? TIMEOUTS.promptMs : TIMEOUTS.callMs);
  }
  // The popup may never sign or change a token.
  for (const row of rows.filter((r) => r.extensionPages)) assert.equal(row.prompts, false, row.name);
});

test('every method the page API calls is in the table', () => {
  const client = readFileSync(new URL('../page-api/src/client.js', import.meta.url), 'utf8');
  const called = [...client.matchAll(/#call\('([a-z]+\.[a-z_]+)'/g)].map((m) => m[1]);
  const names = new Set(readTable().map((r) => r.name));
  assert.ok(called.length >= 12, `found only ${called}`);
  for (const name of called) assert.ok(names.has(name), `client.js calls ${name}, which protocol/methods.json lacks`);
});
