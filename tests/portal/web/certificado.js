// Pasos 8 a 12: the e-mailed link, proof of possession with the new key, the new
// certificate, and letter 2 signed with the new certificate.
import { api, agent, act, $, show, hide, fail, download, wrapHex, renewal } from '/static/portal-api.js';

const token = location.pathname.split('/').pop();
let nonce;
let issued;
let letter;

async function obtain() {
  await act($('obtener'), async () => {
    const proof = await agent('renewal.prove_possession', { renewalId: renewal.id, nonce }, $('agente'));
    issued = await api('POST', '/api/renewal/certificate',
      { signature: proof.signature, algorithm: proof.algorithm });
    await agent('renewal.install_certificate',
      { renewalId: renewal.id, certificate: issued.certificate, chain: [issued.caCertificate] }, $('agente'));
    $('certificado-info').textContent = 'Certificado ' + issued.serial + ' para ' + issued.subject +
      ', vigente del ' + issued.notBefore + ' al ' + issued.notAfter + '.';
    hide('paso9');
    show('paso10');
  });
}

async function downloadLetter() {
  await act($('bajar2'), async () => {
    letter = await api('GET', '/api/renewal/terms-letter?format=json');
    $('cadena').textContent = letter.previousLetterSha1;
    download(letter.document, letter.fileName, 'application/pdf');
    $('firmar2').disabled = false;
  });
}

async function signLetter() {
  await act($('firmar2'), async () => {
    const signed = await agent('renewal.sign_letter', {
      renewalId: renewal.id, stage: 'terms', document: letter.document, fileName: letter.fileName,
    }, $('agente'));
    await api('POST', '/api/renewal/terms-letter/signature', { cms: signed.cms });
    hide('paso11');
    show('paso12');
  });
}

// Paso 12 on the token: the agent closes the renewal, and deletes the old pair only if the person
// also confirms it in the agent's own window (DESIGN §3.5).
async function finish(retireOld, control) {
  await act(control, async () => {
    const done = await agent('renewal.finish', { renewalId: renewal.id, retireOld }, $('agente'));
    hide('retiro');
    $('terminado').textContent = done.retired
      ? 'Renovación terminada: el certificado anterior y su llave se eliminaron del token.'
      : 'Renovación terminada: el certificado anterior se conserva en el token.';
    show('terminado');
  });
}

async function init() {
  // The link is single-use: keep its challenge for this tab so a reload can still finish step 9.
  const kept = sessionStorage.getItem('firmante.link.' + token);
  try {
    const opened = await api('POST', '/api/renewal/link', { token });
    sessionStorage.setItem('firmante.link.' + token, JSON.stringify(opened));
    nonce = opened.nonce;
    $('llave-nueva').textContent = wrapHex(opened.spkiHex);
    show('paso9');
  } catch (e) {
    const s = await api('GET', '/api/session').catch(() => null);
    if (e.code === 'LINK_USED' && kept && s && s.completedStep === 8) {
      const opened = JSON.parse(kept);
      nonce = opened.nonce;
      $('llave-nueva').textContent = wrapHex(opened.spkiHex);
      show('paso9');
    } else if (s && s.completedStep === 9) {
      show('paso10');
    } else if (s && s.completedStep === 10) {
      show('paso11');
    } else if (s && s.mode === 'RENEWED') {
      show('paso12');
    } else {
      fail('error', e);
    }
  }
}

$('obtener').addEventListener('click', obtain);
$('bajar-cer').addEventListener('click', () => { location.href = '/api/renewal/certificate.cer'; });
$('siguiente').addEventListener('click', () => { hide('paso10'); show('paso11'); });
$('bajar2').addEventListener('click', downloadLetter);
$('firmar2').addEventListener('click', signLetter);
$('retirar').addEventListener('click', () => finish(true, $('retirar')));
$('conservar').addEventListener('click', () => finish(false, $('conservar')));
init();
