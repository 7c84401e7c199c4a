// Popup: agent status, tokens, pending renewal, allowed sites. Talks to the
// background over a runtime port like a page does; the background only lets
// the extension's own pages read (agent.info, tokens.list, certificates.list, renewal.status).
import { agentStatusView, renewalLines, siteLines, tokenLines } from './popup-view.js';
import { WORDS } from '../lib/reason-words.js';

const api = globalThis.browser ?? globalThis.chrome;
const t = (name, ...subs) => api.i18n.getMessage(name, subs) || name;

function localize() {
  document.documentElement.lang = api.i18n.getUILanguage?.() ?? 'es-MX';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

function renderList(id, lines) {
  const ul = document.getElementById(id);
  ul.replaceChildren(...lines.map(({ text, flags }) => {
    const li = document.createElement('li');
    li.textContent = text;
    for (const f of flags) {
      const span = document.createElement('span');
      span.className = 'flag';
      span.textContent = f;
      li.append(span);
    }
    return li;
  }));
}

function makeCaller() {
  const port = api.runtime.connect({ name: 'firmante-popup' });
  const waiting = new Map();
  let next = 1;
  port.onMessage.addListener((msg) => {
    const w = waiting.get(msg?.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.error) w.reject({ reason: msg.error.data?.reason ?? WORDS.INTERNAL, message: msg.error.message });
    else w.resolve(msg.result);
  });
  port.onDisconnect.addListener(() => {
    for (const w of waiting.values()) w.reject({ reason: WORDS.NATIVE_UNAVAILABLE, message: 'disconnected' });
    waiting.clear();
  });
  return (method, params = {}) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, { resolve, reject });
    port.postMessage({ jsonrpc: '2.0', id, method, params });
  });
}

async function main() {
  localize();
  const allowlist = await fetch(api.runtime.getURL('allowlist.json')).then((r) => r.json()).catch(() => null);
  renderList('sites', siteLines(allowlist));

  const call = makeCaller();
  const status = document.getElementById('agent-status');
  let info = null;
  let error = null;
  try {
    info = await call('agent.info');
  } catch (err) {
    error = err;
  }
  const view = agentStatusView(info, error, t);
  status.dataset.state = view.state;
  status.textContent = view.text;
  if (!info) {
    renderList('tokens', [{ text: t('unavailable'), flags: [] }]);
    renderList('renewals', [{ text: t('unavailable'), flags: [] }]);
    return;
  }
  const [tokens, renewals] = await Promise.allSettled([call('tokens.list'), call('renewal.status')]);
  renderList('tokens', tokens.status === 'fulfilled' ? tokenLines(tokens.value, t)
    : [{ text: t('agentError', tokens.reason?.reason ?? WORDS.INTERNAL), flags: [] }]);
  renderList('renewals', renewals.status === 'fulfilled' ? renewalLines(renewals.value, t)
    : [{ text: t('agentError', renewals.reason?.reason ?? WORDS.INTERNAL), flags: [] }]);
}

main();
