// Paso 1 (login with the certificate on the token) and Paso 2 (expired → renewal link).
import { api, agent, act, $, show, hide, renewal } from '/static/portal-api.js';

let certificates = [];

// Each action's errors show next to its button (avisos.js), not in a box far above it.
async function listCertificates() {
  await act($('buscar'), async () => {
    const result = await agent('certificates.list', {}, $('agente'));
    certificates = result.certificates || result;
    const select = $('certificado');
    select.innerHTML = '';
    for (const c of certificates) {
      const opt = document.createElement('option');
      opt.value = c.uri;
      opt.textContent = c.subject + (c.expired ? ' (caducado)' : '');
      select.append(opt);
    }
  });
}

async function login(event) {
  event.preventDefault();
  hide('vigente');
  hide('caducado');
  await act($('ingresar'), async () => {
    const start = await api('POST', '/api/login/start', {});
    const uri = $('certificado').value;
    const signed = await agent('auth.sign_challenge', { certificate: uri, nonce: start.nonce }, $('agente'));
    const result = await api('POST', '/api/login/finish', {
      user: $('usuario').value.trim(),
      certificate: signed.certificate,
      signature: signed.signature,
      algorithm: signed.algorithm,
    });
    renewal.certificate = uri;
    if (result.status === 'RENEWAL_REQUIRED') {
      $('liga-renovacion').href = result.renewalUrl;
      $('liga-renovacion').textContent = result.renewalUrl;
      show('caducado');
    } else {
      show('vigente');
    }
  });
}

$('buscar').addEventListener('click', listCertificates);
$('login').addEventListener('submit', login);
