import type { AccessCheck, TokenTable } from './types.js';

/**
 * The access an `Authorization` value grants (HTTP header or gRPC metadata). `Bearer TOKEN` is
 * the form; `Basic` with the token as the password is accepted too, for clients that only put
 * credentials in a URL (ccache's `http://user:TOKEN@host/...`, reprise's own HTTP remote).
 * Without configured tokens every request may read and write.
 */
export function checkAccess(tokens: TokenTable, authorization: string | undefined): AccessCheck {
  if (tokens.size === 0) return { ok: true, access: 'read-write' };
  const token = tokenOf(authorization);
  if (token === undefined) return { ok: false, reason: 'missing' };
  const access = tokens.lookup(token);
  return access === undefined ? { ok: false, reason: 'unknown' } : { ok: true, access };
}

function tokenOf(authorization: string | undefined): string | undefined {
  const m = /^\s*(bearer|basic)\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return undefined;
  if (m[1]!.toLowerCase() === 'bearer') return m[2]!;
  const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}
