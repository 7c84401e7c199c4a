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

test('the popup says connected with the version agent.info sends, or tells not installed from not running', () => {
  // agent.info's field is `version` (docs/protocol.md); reading another gave "agente ?".
  assert.deepEqual(agentStatusView({ version: '0.1.0', protocolVersion: 1 }, null, t),
    { state: 'connected', text: 'Conectado (agente 0.1.0)' });
  assert.equal(agentStatusView(null, { reason: 'NATIVE_UNAVAILABLE' }, t).state, 'unavailable');
  assert.match(agentStatusView(null, { reason: 'NATIVE_UNAVAILABLE' }, t).text, /no está instalado/);
  assert.match(agentStatusView(null, { reason: 'AGENT_NOT_RUNNING' }, t).text, /instalado pero no está en ejecución/);
  assert.match(agentStatusView(null, { reason: 'VERSION_MISMATCH' }, t).text, /versión/);
  assert.match(agentStatusView(null, { reason: 'TIMEOUT' }, t).text, /detalle: TIMEOUT/);
});

test('the popup lists tokens with their PIN warnings', () => {
  assert.deepEqual(tokenLines({ tokens: [] }, t), [{ text: 'No hay ningún token conectado. Conecte su token o tarjeta.', flags: [] }]);
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

test('the popup shows each open renewal by site, in the portal\'s step and words', () => {
  assert.deepEqual(renewalLines({ renewals: [] }, t), [{ text: 'No hay ninguna renovación pendiente.', flags: [] }]);
  // What renewal.status sends while the portal is at step 6 (docs/protocol.md).
  const atStep6 = { renewalId: '4wwCOOYeyX-HH3kvqaV96w', origin: 'http://127.0.0.1:8080', state: 'acceptanceSigned', step: 2, manualStep: 6, stepName: 'Carta de aceptación firmada' };
  assert.deepEqual(renewalLines({ renewals: [atStep6, { renewalId: 'r-0', state: 'finished', manualStep: 12 }] }, t),
    [{ text: 'http://127.0.0.1:8080 — paso 6 de 12: carta de aceptación firmada', flags: [] }]);
  assert.ok(!renewalLines({ renewals: [atStep6] }, t)[0].text.includes(atStep6.renewalId), 'no internal id');
  assert.deepEqual(renewalLines({ renewalId: 'r-2', origin: 'https://idse.example', state: 'certificateInstalled', manualStep: 9 }, t),
    [{ text: 'https://idse.example — paso 9 de 12: certificado nuevo guardado en su token', flags: [] }]);
});

test('the Spanish texts address the person as "usted", never "tú"', () => {
  const informal = /\b(tú|tu|tus|instala|inicia|conecta tu|abre|firma con tu|revisa)\b/i;
  for (const [name, entry] of Object.entries(messages)) {
    assert.doesNotMatch(entry.message, informal, `${name}: ${entry.message}`);
  }
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
