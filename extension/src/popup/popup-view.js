// Turns agent answers into what the popup shows. No DOM and no browser API
// here, so node tests can check it; `t(name, ...subs)` is i18n.getMessage.

export function agentStatusView(info, error, t) {
  if (info) return { state: 'connected', text: t('agentConnected', String(info.agentVersion ?? '?')) };
  const reason = error?.reason ?? 'INTERNAL';
  if (reason === 'NATIVE_UNAVAILABLE') return { state: 'unavailable', text: t('agentNotInstalled') };
  if (reason === 'VERSION_MISMATCH') return { state: 'error', text: t('agentVersionMismatch') };
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

export function renewalLines(result, t) {
  // renewal.status answers one renewal or a list of them.
  let renewals = [];
  if (Array.isArray(result?.renewals)) renewals = result.renewals;
  else if (result && typeof result === 'object' && result.renewalId) renewals = [result];
  const open = renewals.filter((r) => !['finished', 'done', 'completed'].includes(String(r.state ?? '').toLowerCase()));
  if (open.length === 0) return [{ text: t('renewalNone'), flags: [] }];
  return open.map((r) => ({ text: t('renewalStep', String(r.renewalId), String(r.step ?? r.state ?? '?')), flags: [] }));
}

// Shown as written; for http the pattern matches the host on any port.
export function siteLines(allowlist) {
  const matches = Array.isArray(allowlist?.matches) ? allowlist.matches : [];
  return matches.map((m) => ({ text: m, flags: [] }));
}
