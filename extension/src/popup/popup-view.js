// Turns agent answers into what the popup shows. No DOM and no browser API
// here, so node tests can check it; `t(name, ...subs)` is i18n.getMessage.
import { WORDS } from '../lib/reason-words.js';

export function agentStatusView(info, error, t) {
  // agent.info answers `version` (docs/protocol.md); `agentVersion` is the hello's word.
  if (info) return { state: 'connected', text: t('agentConnected', String(info.version ?? '?')) };
  const reason = error?.reason ?? WORDS.INTERNAL;
  // The browser could not start the host: nothing is installed. The host ran but found no
  // agent and could not start one: installed, not running.
  if (reason === WORDS.NATIVE_UNAVAILABLE) return { state: 'unavailable', text: t('agentNotInstalled') };
  if (reason === WORDS.AGENT_NOT_RUNNING) return { state: 'unavailable', text: t('agentNotRunning') };
  if (reason === WORDS.VERSION_MISMATCH) return { state: 'error', text: t('agentVersionMismatch') };
  return { state: 'error', text: t('agentError', reason) };
}

export function tokenLines(result, t) {
  const tokens = Array.isArray(result?.tokens) ? result.tokens : [];
  if (tokens.length === 0) return [{ text: t('tokensNone'), flags: [] }];
  return tokens.map((tok) => {
    const name = [tok.label, [tok.manufacturer, tok.model].filter(Boolean).join(' ')].filter(Boolean).join(' — ');
    const flags = [];
    if (tok.pinLocked) flags.push(t('tokenPinLocked'));
    else if (tok.pinFinalTry) flags.push(t('tokenPinFinalTry'));
    else if (tok.pinCountLow) flags.push(t('tokenPinCountLow'));
    return { text: name || tok.uri || '?', flags };
  });
}

// The journal's states (docs/protocol.md, renewal.status) in the browser's language.
const STATE_MESSAGES = {
  generating: 'stateGenerating',
  begun: 'stateBegun',
  acceptanceSigned: 'stateAcceptanceSigned',
  possessionProved: 'statePossessionProved',
  certificateInstalled: 'stateCertificateInstalled',
  termsSigned: 'stateTermsSigned',
  corrupt: 'stateCorrupt',
};

export function renewalLines(result, t) {
  // renewal.status answers one renewal or a list of them.
  let renewals = [];
  if (Array.isArray(result?.renewals)) renewals = result.renewals;
  else if (result && typeof result === 'object' && result.renewalId) renewals = [result];
  const open = renewals.filter((r) => !['finished', 'done', 'completed'].includes(String(r.state ?? '').toLowerCase()));
  if (open.length === 0) return [{ text: t('renewalNone'), flags: [] }];
  // By site and in the portal's words: the manual's step (1–12) the renewal has completed and
  // what it is, never the journal's internal id or state counter.
  return open.map((r) => {
    const stateName = STATE_MESSAGES[r.state];
    const what = (stateName && t(stateName)) || String(r.stepName ?? r.state ?? '?');
    return { text: t('renewalStep', String(r.origin ?? '?'), String(r.manualStep ?? '?'), what), flags: [] };
  });
}

// Shown as written; for http the pattern matches the host on any port.
export function siteLines(allowlist) {
  const matches = Array.isArray(allowlist?.matches) ? allowlist.matches : [];
  return matches.map((m) => ({ text: m, flags: [] }));
}
