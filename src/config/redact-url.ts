// Secrets never leave through `reprise config show`, doctor or an error message.

export const REDACTED = '<redacted>';

/** Header and query names whose values are credentials (Authorization, X-Api-Key, ?token=...). */
export function isSecretName(name: string): boolean {
  return /auth|token|secret|passw|key|cookie|session|credential|signature/i.test(name);
}

/** A URL with its user info and secret-looking query values replaced by <redacted>; text that is no URL gets its `//user:pass@` part redacted. */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text.replace(/\/\/[^/@\s]*@/, `//${REDACTED}@`);
  }
  const userinfo = url.username !== '' || url.password !== '' ? `${REDACTED}@` : '';
  const query = [...url.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${isSecretName(k) ? REDACTED : encodeURIComponent(v)}`).join('&');
  const path = url.pathname === '/' && !text.replace(/[?#].*$/, '').endsWith('/') ? '' : url.pathname;
  return `${url.protocol}//${userinfo}${url.host}${path}${query ? `?${query}` : ''}${url.hash}`;
}
