import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { agentStatusView, renewalLines, siteLines, tokenLines } from '../src/popup/popup-view.js';

const messages = JSON.parse(readFileSync(new URL('../src/_locales/es_MX/messages.json', import.meta.url), 'utf8'));
// i18n.getMessage with Chromium's $1/$2 substitution through named placeholders.
function t(name, ...subs) {
  const entry = messages[name];
  assert.ok(entry, `es_MX defines ${name}`);
  return entry.message.replace(/\$(\w+)\$/g, (_, ph) => {
    const content = entry.placeholders[ph.toLowerCase()].content;
    return subs[Number(content.slice(1)) - 1];
  });
}

test('the popup says connected with the agent version, or not installed when the host is missing', () => {
  assert.deepEqual(agentStatusView({ agentVersion: '0.1.0', protocolVersion: 1 }, null, t),
    { state: 'connected', text: 'Conectado (agente 0.1.0)' });
  assert.equal(agentStatusView(null, { reason: 'NATIVE_UNAVAILABLE' }, t).state, 'unavailable');
  assert.match(agentStatusView(null, { reason: 'NATIVE_UNAVAILABLE' }, t).text, /No instalado/);
  assert.match(agentStatusView(null, { reason: 'VERSION_MISMATCH' }, t).text, /versión/);
  assert.equal(agentStatusView(null, { reason: 'TIMEOUT' }, t).text, 'Error del agente: TIMEOUT');
});

test('the popup lists tokens with their PIN warnings', () => {
  assert.deepEqual(tokenLines({ tokens: [] }, t), [{ text: 'No hay ningún token conectado.', flags: [] }]);
  const lines = tokenLines({
    tokens: [
      { uri: 'pkcs11:token=A', label: 'Demo', manufacturer: 'SoftHSM project', model: 'SoftHSM v2', pinLocked: false, pinFinalTry: true },
      { uri: 'pkcs11:token=B', label: 'Otro', pinLocked: true },
    ],
  }, t);
  assert.deepEqual(lines, [
    { text: 'Demo — SoftHSM project SoftHSM v2', flags: ['Último intento de PIN'] },
    { text: 'Otro', flags: ['PIN bloqueado'] },
  ]);
});

test('the popup shows each open renewal with its step', () => {
  assert.deepEqual(renewalLines({ renewals: [] }, t), [{ text: 'No hay ninguna renovación pendiente.', flags: [] }]);
  assert.deepEqual(renewalLines({ renewals: [{ renewalId: 'r-1', step: 5, state: 'acceptance-signed' }, { renewalId: 'r-0', state: 'finished' }] }, t),
    [{ text: 'r-1: paso 5', flags: [] }]);
  assert.deepEqual(renewalLines({ renewalId: 'r-2', step: 9 }, t), [{ text: 'r-2: paso 9', flags: [] }]);
});

test('the popup lists the allowed sites from allowlist.json', () => {
  const allowlist = JSON.parse(readFileSync(new URL('../allowlist.json', import.meta.url), 'utf8'));
  assert.deepEqual(siteLines(allowlist).map((l) => l.text), allowlist.matches);
});

test('both locales define the same messages with the same placeholders', () => {
  const en = JSON.parse(readFileSync(new URL('../src/_locales/en/messages.json', import.meta.url), 'utf8'));
  assert.deepEqual(Object.keys(en).sort(), Object.keys(messages).sort());
  for (const name of Object.keys(messages)) {
    assert.deepEqual(en[name].placeholders, messages[name].placeholders, name);
  }
});

test('every text the popup page names exists in the locale files', () => {
  const html = readFileSync(new URL('../src/popup/popup.html', import.meta.url), 'utf8');
  const js = readFileSync(new URL('../src/popup/popup.js', import.meta.url), 'utf8') +
    readFileSync(new URL('../src/popup/popup-view.js', import.meta.url), 'utf8');
  const names = [...html.matchAll(/data-i18n="(\w+)"/g), ...js.matchAll(/\bt\('(\w+)'/g)].map((m) => m[1]);
  assert.ok(names.length > 10);
  for (const name of names) assert.ok(messages[name], `es_MX defines ${name}`);
});
