// The manual's twelve steps, clicked through the reference portal as a person would, with a
// screenshot of each screen. Every step waits for the screen's Spanish text (no sleeps).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import { PIN } from './world.mjs';

const NEW_EMAIL = 'representante.legal@ejemplo.com.mx';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const sha1 = (bytes) => createHash('sha1').update(bytes).digest('hex').toUpperCase();

/** Waits until `selector` is visible and holds `text` (string or RegExp). */
async function see(d, selector, text) {
  await d.waitVisible(selector);
  if (text) await assertText(d, selector, text);
}

async function assertText(d, selector, text) {
  // Polls until the text is there (a page may still be filling the element in).
  const deadline = Date.now() + 10_000;
  let actual = '';
  while (Date.now() < deadline) {
    actual = await d.text(selector);
    if (typeof text === 'string' ? actual.includes(text) : text.test(actual)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`expected ${text} in:\n${actual}`);
}

/** The text of the page's visible error boxes (class "error"), or '' when none shows. */
export function visibleErrors(d) {
  return d.evaluate(() => [...document.querySelectorAll('.error')]
    .filter((e) => !e.classList.contains('oculto') && e.offsetParent !== null)
    .map((e) => e.innerText).join('\n'));
}

/** Fails fast with the page's error box (and what it says) instead of a long selector timeout. */
async function noError(d) {
  const shown = await visibleErrors(d);
  if (shown) assert.fail('the page shows an error: ' + shown);
}

/** Waits for `selector` unless one of the page's error boxes appears first. */
async function reach(d, selector, text) {
  await d.waitUntil((sel) => {
    const visible = (e) => e && !e.classList.contains('oculto') && e.offsetParent !== null;
    return visible(document.querySelector(sel)) || [...document.querySelectorAll('.error')].some(visible);
  }, selector, 60_000);
  await noError(d);
  return see(d, selector, text);
}

/** The value of the first certificate option that is (or is not) marked "(caducado)". */
function optionValue(d, expired) {
  return d.evaluate((exp) => [...document.querySelectorAll('#certificado option')]
    .find((o) => o.value.startsWith('pkcs11:') && (exp ? o.textContent.includes('(caducado)')
      : o.textContent.includes('PRUEBA 4') && !o.textContent.includes('(caducado)')))?.value ?? null, expired);
}

/** Paso 1 up to the click on "Ingresar": lists the token's certificates and picks one. */
export async function loginWith(world, d, { expired }) {
  await d.goto(world.url('/'));
  await see(d, 'h1', 'Paso 1');
  await see(d, 'main', 'Bienvenidos al Portal de IMSS desde su Empresa. (IDSE)');
  await d.click('#buscar');
  // A certificate's option (its value is a PKCS#11 URI), not the placeholder, or an error.
  await d.waitUntil((exp) => [...document.querySelectorAll('#certificado option')]
    .some((o) => o.value.startsWith('pkcs11:') && o.textContent.includes('(caducado)') === exp) ||
    [...document.querySelectorAll('.error')].some((e) => !e.classList.contains('oculto')), expired);
  await noError(d);
  await d.select('#certificado', await optionValue(d, expired));
  assert.equal(await d.value('#usuario'), 'A064878710');
}

/**
 * Runs the twelve steps in `world` (started). Returns what the test checks at the end: the
 * letters' bytes and file names as the portal served them.
 */
export async function renewThroughThePortal(world) {
  const d = world.driver;
  const started = Date.now();
  const letters = {};
  let shot = 0;
  const screenshot = (name) => world.screenshot(++shot, name);

  // Paso 1: log in with the expired certificate (the agent asks for the PIN to sign the challenge).
  await loginWith(world, d, { expired: true });
  await screenshot('paso1-inicio');
  await world.answer('pin 123456');
  await d.click('#ingresar');

  // Paso 2: the certificate has expired → the renewal link.
  await reach(d, '#caducado', 'Su Certificado Digital ha caducado.');
  await see(d, '#caducado h2', 'Paso 2');
  await screenshot('paso2-certificado-caducado');
  await d.click('#liga-renovacion');

  // Paso 3: data on file; the e-mail is editable (and confirmed).
  await reach(d, '#paso3', 'Solicitud de Número Patronal de Identificación Electrónica y Certificado Digital');
  await see(d, '#paso3 td[data-campo="razonSocial"]', 'PRUEBA 4');
  await see(d, '#paso3 td[data-campo="usuario"]', 'A064878710');
  assert.equal(await d.value('#correo'), 'miguel.mendez@softtek.com');
  await d.fill('#correo', NEW_EMAIL);
  await d.fill('#correo2', NEW_EMAIL);
  await screenshot('paso3-datos');
  await d.click('#paso3 button[type=submit]');

  // Paso 4: the data to validate, then "generate key" on the token.
  await reach(d, '#paso4', 'Validación de la Captura de Datos del Patrón');
  await see(d, '#validacion', NEW_EMAIL);
  await screenshot('paso4-validacion');
  await world.answer('pin 123456');
  await d.click('#generar');

  // Pasos 5 y 6: the notice, both public keys, and letter 1 signed with the expired certificate.
  await reach(d, '#paso6', 'Carta de Aceptación de Renovación de Certificado Digital');
  await see(d, '#paso5', 'es necesario que la firme con el Certificado Digital caducado');
  await see(d, '#llave-nueva', /^03 82 01 0f 00 30 82 01 0a 02 82 01 01 00/);
  await see(d, '#llave-anterior', /^03 82 01 0f 00 30 82 01 0a/);
  const newKey = await d.text('#llave-nueva');
  assert.notEqual(newKey, await d.text('#llave-anterior'));
  await screenshot('paso5-6-carta-aceptacion');
  const served1 = d.waitForResponse('/api/renewal/acceptance-letter?format=json');
  letters.acceptance = await d.download(() => d.click('#bajar1'));
  const json1 = await (await served1).json();
  assert.deepEqual(letters.acceptance.bytes, Buffer.from(json1.document, 'base64'), 'the download is the letter the portal served');
  assert.equal(letters.acceptance.fileName, 'CartadeAceptaciondeRenovacion.pdf');
  assert.equal(letters.acceptance.bytes.subarray(0, 5).toString(), '%PDF-');
  await d.waitVisible('#firmar1:not([disabled])');
  // Issue 12 §3: the token is still unlocked from step 4; the letter is shown and confirmed.
  await world.answer('confirm yes');
  await d.click('#firmar1');

  // Paso 7: the e-mail with the link has been "sent".
  await reach(d, '#paso7', 'la liga para generar el Certificado Digital');
  await see(d, '#enviado', `Mensaje enviado a ${NEW_EMAIL}.`);
  await screenshot('paso7-correo-enviado');
  await d.click('#paso7 a[href="/buzon"] button');

  // Paso 8: the outbox; the person opens the link.
  await see(d, 'h1', 'Buzón de correo');
  await see(d, '#buzon', NEW_EMAIL);
  await screenshot('paso8-buzon');
  await d.clickText('#buzon a', 'Dar clic');

  // Paso 9: proof of possession with the new key, the certificate issued and installed on the token.
  await reach(d, '#paso9', 'Usted abrió la liga enviada a su correo electrónico (Paso 8).');
  assert.equal(await d.text('#llave-nueva'), newKey, 'step 9 certifies the key letter 1 announced');
  await screenshot('paso9-obtener-certificado');
  // No prompt: the proof of possession and the certificate's install sign no document, and the
  // token is unlocked for this renewal's site (issue 12 §3). Nothing scripted: a prompt would cancel.
  await world.answer();
  await d.click('#obtener');

  // Paso 10: "Certificado Generado".
  await reach(d, '#paso10', 'Certificado Generado');
  await see(d, '#certificado-info', /^Certificado [0-9A-Fa-f:]+ para .*A064878710/);
  await screenshot('paso10-certificado-generado');
  await d.click('#siguiente');

  // Paso 11: letter 2 carries letter 1's SHA-1; signed with the new certificate.
  await reach(d, '#paso11', 'Carta de términos y condiciones para la obtención-renovación y uso del Certificado Digital');
  const served2 = d.waitForResponse('/api/renewal/terms-letter?format=json');
  letters.terms = await d.download(() => d.click('#bajar2'));
  const json2 = await (await served2).json();
  assert.deepEqual(letters.terms.bytes, Buffer.from(json2.document, 'base64'));
  await see(d, '#cadena', sha1(letters.acceptance.bytes));
  await screenshot('paso11-carta-terminos');
  await d.waitVisible('#firmar2:not([disabled])');
  await world.answer('confirm yes');
  await d.click('#firmar2');

  // Paso 12: the end of the renewal; the person retires the old certificate (and confirms it in
  // the agent's own window).
  await reach(d, '#paso12', 'El proceso finalizó.');
  await see(d, '#retiro', 'Se sugiere eliminar de su token el certificado anterior');
  await screenshot('paso12-fin');
  await world.answer('confirm yes');
  await d.click('#retirar');
  await reach(d, '#terminado', 'Renovación terminada: el certificado anterior y su llave se eliminaron del token.');

  // And the login with the new certificate, now the only one on the token.
  await d.click('#paso12 a[href="/"]');
  await loginWith(world, d, { expired: false });
  assert.equal(await d.evaluate(() => [...document.querySelectorAll('#certificado option')].filter((o) => o.textContent.includes('(caducado)')).length), 0,
    'the expired certificate is gone from the token');
  await world.answer('pin 123456');
  await d.click('#ingresar');
  await reach(d, '#vigente', 'Su Certificado Digital está vigente. Bienvenido a IDSE.');
  await screenshot('paso12-ingreso-certificado-nuevo');
  assert.equal(await d.isVisible('#caducado'), false);

  // The figure docs/e2e.md reports per transport and browser (medians over runs).
  const elapsedMs = Date.now() - started;
  process.stdout.write(`# renewal ${world.browserName} ${world.transport}: ${elapsedMs} ms\n`);
  return {
    elapsedMs,
    letters: Object.fromEntries(Object.entries(letters).map(([k, v]) => [k, { ...v, sha256: sha256(v.bytes) }])),
  };
}

/** Each letter's signature was shown to the person with the portal's origin, file name and hash. */
export async function assertLettersShown(world, letters) {
  const prompts = await world.promptsShown();
  for (const [stage, letter] of Object.entries(letters)) {
    // Issue 12 §3: shown and confirmed in the agent's window, without a second PIN.
    const shown = prompts.filter((p) => (p.description ?? '').includes(letter.fileName));
    assert.equal(shown.length, 1, `one prompt for the ${stage} letter ${letter.fileName}`);
    assert.equal(shown[0].command, 'CONFIRM', `${stage}: a confirmation, not a PIN`);
    const description = shown[0].description;
    assert.match(description, new RegExp(`Sitio: ${world.origin.replace(/[.]/g, '\\.')}\\n`), `${stage}: the portal's origin`);
    assert.ok(description.toLowerCase().includes(`sha-256: ${letter.sha256}`),
      `${stage}: the SHA-256 of the bytes the portal served (${letter.sha256}) in:\n${description}`);
    assert.equal(shown[0].answer, 'yes');
  }
  const everything = JSON.stringify(prompts);
  assert.ok(!everything.includes(PIN), 'the PIN itself is never recorded');
  // The questions that are not a PIN: the two letters and deleting the old pair at step 12. No
  // consent question about the site: the portal is on the allowlist.
  const questions = prompts.filter((p) => p.command !== 'GETPIN');
  assert.equal(questions.length, 3, JSON.stringify(questions));
  assert.match(questions[2].description, /¿Eliminar del token el certificado anterior y su llave\?/);
  assert.equal(questions[2].answer, 'yes');
  // Issue 12 §3: the PIN for the login with the expired certificate, the new key, and the login
  // with the new certificate after renewal.finish locked the token again (8 before).
  const pins = prompts.filter((p) => p.command === 'GETPIN').length;
  process.stdout.write(`# PIN prompts over the 12 steps (${world.browserName} ${world.transport}): ${pins}\n`);
  assert.ok(pins <= 3, `at most 3 PIN prompts over the 12 steps, saw ${pins}`);
  assert.equal(pins, 3);
}
