// Pasos 3 a 7: data on file, new key on the token, letter 1 signed with the expired certificate.
import { api, agent, act, $, show, hide, fail, download, wrapHex, renewal } from '/static/portal-api.js';

let letter; // { document, fileName } of letter 1

function field(obj, path) {
  return path.split('.').reduce((o, k) => (o ? o[k] : undefined), obj);
}

function fillData(employer) {
  for (const td of document.querySelectorAll('[data-campo]')) {
    td.textContent = field(employer, td.dataset.campo) ?? '';
  }
  $('correo').value = employer.correo;
  $('correo2').value = employer.correo;
  $('telefono').value = employer.telefono;
  $('fax').value = employer.fax;
}

function fillValidation(e) {
  const rows = [
    ['Razón Social', e.razonSocial], ['Registro Patronal', e.registroPatronal], ['RFC', e.rfc],
    ['Usuario', e.usuario], ['Representante Legal', e.representanteLegal], ['CURP', e.curp],
    ['Correo Electrónico', e.correo], ['Entidad Federativa', e.domicilioFiscal.entidadFederativa],
    ['Ciudad', e.domicilioFiscal.ciudad], ['Municipio o Delegación', e.domicilioFiscal.municipio],
    ['Calle', e.domicilioFiscal.calle],
    ['Número Ext./Int', e.domicilioFiscal.numeroExterior + '/' + e.domicilioFiscal.numeroInterior],
    ['Código Postal', e.domicilioFiscal.codigoPostal], ['Colonia', e.domicilioFiscal.colonia],
    ['Teléfono', e.telefono], ['Fax', e.fax],
  ];
  const table = $('validacion');
  table.innerHTML = '';
  for (const [k, v] of rows) {
    const tr = table.insertRow();
    const th = document.createElement('th');
    th.textContent = k;
    tr.append(th);
    tr.insertCell().textContent = v;
  }
}

async function submitData(event) {
  event.preventDefault();
  await act($('datos').querySelector('button[type=submit]'), async () => {
    const r = await api('POST', '/api/renewal/data', {
      email: $('correo').value.trim(),
      emailConfirmation: $('correo2').value.trim(),
      phone: $('telefono').value.trim(),
      fax: $('fax').value.trim(),
    });
    hide('paso3');
    fillValidation(r.employer);
    show('paso4');
  });
}

async function generateKey() {
  await act($('generar'), async () => {
    const begun = await agent('renewal.begin',
      { certificate: renewal.certificate, keyType: $('tipo').value }, $('agente'));
    renewal.id = begun.renewalId;
    const r = await api('POST', '/api/renewal/key', { spki: begun.spki, csr: begun.csr });
    $('llave-nueva').textContent = wrapHex(r.spkiHex);
    $('huella-nueva').textContent = r.spkiFingerprint;
    $('llave-anterior').textContent = wrapHex(r.oldSpkiHex);
    hide('paso4');
    show('paso5');
    show('paso6');
  });
}

async function downloadLetter() {
  await act($('bajar1'), async () => {
    letter = await api('GET', '/api/renewal/acceptance-letter?format=json');
    download(letter.document, letter.fileName, 'application/pdf');
    $('firmar1').disabled = false;
  });
}

async function signLetter() {
  await act($('firmar1'), async () => {
    const signed = await agent('renewal.sign_letter', {
      renewalId: renewal.id, stage: 'acceptance', document: letter.document, fileName: letter.fileName,
    }, $('agente'));
    const r = await api('POST', '/api/renewal/acceptance-letter/signature', { cms: signed.cms });
    hide('paso5');
    hide('paso6');
    $('enviado').textContent = 'Mensaje enviado a ' + r.sentTo + '.';
    show('paso7');
  });
}

async function init() {
  try {
    const s = await api('GET', '/api/session');
    if (s.mode !== 'RENEWAL') throw new Error('Inicie sesión con su Certificado Digital caducado en la página de inicio.');
    const data = await api('GET', '/api/renewal/data');
    fillData(data.employer);
    if (s.completedStep === 2) show('paso3');
    else if (s.completedStep === 3) { fillValidation(data.employer); show('paso4'); }
    else if (s.completedStep === 4 || s.completedStep === 5) {
      $('llave-nueva').textContent = wrapHex(s.spkiHex);
      $('huella-nueva').textContent = s.spkiFingerprint;
      $('llave-anterior').textContent = wrapHex(s.oldSpkiHex);
      show('paso5');
      show('paso6');
    } else if (s.completedStep >= 7) show('paso7');
    else throw new Error('Este trámite ya avanzó al paso ' + s.completedStep + '; no use los botones Adelante y Atrás.');
  } catch (e) {
    fail('error', e);
  }
}

$('datos').addEventListener('submit', submitData);
$('generar').addEventListener('click', generateKey);
$('bajar1').addEventListener('click', downloadLetter);
$('firmar1').addEventListener('click', signLetter);
init();
