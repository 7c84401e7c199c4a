// The manual's twelve steps, clicked through the reference portal as a person would, with a
// screenshot of each screen. Every step waits for the screen's Spanish text (no sleeps).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const NEW_EMAIL = 'representante.legal@ejemplo.com.mx';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const sha1 = (bytes) => createHash('sha1').update(bytes).digest('hex').toUpperCase();

/** Waits until `selector` is visible and holds `text` (string or RegExp). */
async function see(page, selector, text) {
  const element = page.locator(selector);
  await element.waitFor({ state: 'visible' });
  if (text) await assertText(element, text);
  return element;
}

async function assertText(locator, text) {
  // Polls until the text is there (a page may still be filling the element in).
  const deadline = Date.now() + 10_000;
  let actual = '';
  while (Date.now() < deadline) {
    actual = await locator.innerText();
    if (typeof text === 'string' ? actual.includes(text) : text.test(actual)) return;
    await locator.page().waitForTimeout(50);
  }
  assert.fail(`expected ${text} in:\n${actual}`);
}

/** Fails fast with the page's error box (and what it says) instead of a long selector timeout. */
async function noError(page) {
  const box = page.locator('#error');
  if (await box.count() && await box.isVisible()) assert.fail('the page shows an error: ' + await box.innerText());
}

/** Waits for `selector` unless the page's error box appears first. */
async function reach(page, selector, text) {
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    const err = document.getElementById('error');
    const visible = (e) => e && !e.classList.contains('oculto') && e.offsetParent !== null;
    return visible(el) || visible(err);
  }, selector, { timeout: 60_000 });
  await noError(page);
  return see(page, selector, text);
}

/** Clicks what triggers a download and returns the downloaded bytes and file name. */
async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await dl.path();
  return { bytes: await readFile(file), fileName: dl.suggestedFilename() };
}

async function loginWith(world, page, { expired }) {
  await page.goto(world.url('/'));
  await see(page, 'h1', 'Paso 1');
  await see(page, 'main', 'Bienvenidos al Portal de IMSS desde su Empresa. (IDSE)');
  await page.click('#buscar');
  const option = page.locator('#certificado option', { hasText: expired ? '(caducado)' : 'PRUEBA 4' })
    .filter(expired ? {} : { hasNotText: '(caducado)' });
  await option.first().waitFor({ state: 'attached' });
  await noError(page);
  await page.selectOption('#certificado', await option.first().getAttribute('value'));
  assert.equal(await page.inputValue('#usuario'), 'A064878710');
}

/**
 * Runs the twelve steps in `world` (started). Returns what the test checks at the end: the
 * letters' bytes and file names as the portal served them.
 */
export async function renewThroughThePortal(world) {
  const { page } = world;
  const letters = {};
  let shot = 0;
  const screenshot = (name) => world.screenshot(++shot, name);

  // Paso 1: log in with the expired certificate (the agent asks for the PIN to sign the challenge).
  await loginWith(world, page, { expired: true });
  await screenshot('paso1-inicio');
  await world.answer('pin 123456');
  await page.click('#ingresar');

  // Paso 2: the certificate has expired → the renewal link.
  await reach(page, '#caducado', 'Su Certificado Digital ha caducado.');
  await see(page, '#caducado h2', 'Paso 2');
  await screenshot('paso2-certificado-caducado');
  await page.click('#liga-renovacion');

  // Paso 3: data on file; the e-mail is editable (and confirmed).
  await reach(page, '#paso3', 'Solicitud de Número Patronal de Identificación Electrónica y Certificado Digital');
  await see(page, '#paso3 td[data-campo="razonSocial"]', 'PRUEBA 4');
  await see(page, '#paso3 td[data-campo="usuario"]', 'A064878710');
  assert.equal(await page.inputValue('#correo'), 'miguel.mendez@softtek.com');
  await page.fill('#correo', NEW_EMAIL);
  await page.fill('#correo2', NEW_EMAIL);
  await screenshot('paso3-datos');
  await page.click('#paso3 button[type=submit]');

  // Paso 4: the data to validate, then "generate key" on the token.
  await reach(page, '#paso4', 'Validación de la Captura de Datos del Patrón');
  await see(page, '#validacion', NEW_EMAIL);
  await screenshot('paso4-validacion');
  await world.answer('pin 123456');
  await page.click('#generar');

  // Pasos 5 y 6: the notice, both public keys, and letter 1 signed with the expired certificate.
  await reach(page, '#paso6', 'Carta de Aceptación de Renovación de Certificado Digital');
  await see(page, '#paso5', 'es necesario que la firme con el Certificado Digital caducado');
  await see(page, '#llave-nueva', /^03 82 01 0f 00 30 82 01 0a 02 82 01 01 00/);
  await see(page, '#llave-anterior', /^03 82 01 0f 00 30 82 01 0a/);
  const newKey = await page.innerText('#llave-nueva');
  assert.notEqual(newKey, await page.innerText('#llave-anterior'));
  await screenshot('paso5-6-carta-aceptacion');
  const served1 = page.waitForResponse((r) => r.url().includes('/api/renewal/acceptance-letter?format=json'));
  letters.acceptance = await download(page, () => page.click('#bajar1'));
  const json1 = await (await served1).json();
  assert.deepEqual(letters.acceptance.bytes, Buffer.from(json1.document, 'base64'), 'the download is the letter the portal served');
  assert.equal(letters.acceptance.fileName, 'CartadeAceptaciondeRenovacion.pdf');
  assert.equal(letters.acceptance.bytes.subarray(0, 5).toString(), '%PDF-');
  await page.locator('#firmar1:not([disabled])').waitFor();
  await world.answer('pin 123456');
  await page.click('#firmar1');

  // Paso 7: the e-mail with the link has been "sent".
  await reach(page, '#paso7', 'la liga para generar el Certificado Digital');
  await see(page, '#enviado', `Mensaje enviado a ${NEW_EMAIL}.`);
  await screenshot('paso7-correo-enviado');
  await page.click('#paso7 a[href="/buzon"] button');

  // Paso 8: the outbox; the person opens the link.
  await see(page, 'h1', 'Buzón de correo');
  await see(page, '#buzon', NEW_EMAIL);
  await screenshot('paso8-buzon');
  await page.click('#buzon a:has-text("Dar clic")');

  // Paso 9: proof of possession with the new key, the certificate issued and installed on the token.
  await reach(page, '#paso9', 'Usted abrió la liga enviada a su correo electrónico (Paso 8).');
  assert.equal(await page.innerText('#llave-nueva'), newKey, 'step 9 certifies the key letter 1 announced');
  await screenshot('paso9-obtener-certificado');
  await world.answer('pin 123456', 'pin 123456');
  await page.click('#obtener');

  // Paso 10: "Certificado Generado".
  await reach(page, '#paso10', 'Certificado Generado');
  await see(page, '#certificado-info', /^Certificado [0-9A-Fa-f:]+ para .*A064878710/);
  await screenshot('paso10-certificado-generado');
  await page.click('#siguiente');

  // Paso 11: letter 2 carries letter 1's SHA-1; signed with the new certificate.
  await reach(page, '#paso11', 'Carta de términos y condiciones para la obtención-renovación y uso del Certificado Digital');
  const served2 = page.waitForResponse((r) => r.url().includes('/api/renewal/terms-letter?format=json'));
  letters.terms = await download(page, () => page.click('#bajar2'));
  const json2 = await (await served2).json();
  assert.deepEqual(letters.terms.bytes, Buffer.from(json2.document, 'base64'));
  await see(page, '#cadena', sha1(letters.acceptance.bytes));
  await screenshot('paso11-carta-terminos');
  await page.locator('#firmar2:not([disabled])').waitFor();
  await world.answer('pin 123456');
  await page.click('#firmar2');

  // Paso 12: the end of the renewal; the person retires the old certificate (and confirms it in
  // the agent's own window).
  await reach(page, '#paso12', 'El proceso finalizó.');
  await see(page, '#retiro', 'Se sugiere eliminar de su token el certificado anterior');
  await screenshot('paso12-fin');
  await world.answer('confirm yes', 'pin 123456');
  await page.click('#retirar');
  await reach(page, '#terminado', 'Renovación terminada: el certificado anterior y su llave se eliminaron del token.');

  // And the login with the new certificate, now the only one on the token.
  await page.click('#paso12 a[href="/"]');
  await loginWith(world, page, { expired: false });
  assert.equal(await page.locator('#certificado option', { hasText: '(caducado)' }).count(), 0,
    'the expired certificate is gone from the token');
  await world.answer('pin 123456');
  await page.click('#ingresar');
  await reach(page, '#vigente', 'Su Certificado Digital está vigente. Bienvenido a IDSE.');
  await screenshot('paso12-ingreso-certificado-nuevo');
  assert.equal(await page.locator('#caducado').isVisible(), false);

  return {
    letters: Object.fromEntries(Object.entries(letters).map(([k, v]) => [k, { ...v, sha256: sha256(v.bytes) }])),
  };
}
