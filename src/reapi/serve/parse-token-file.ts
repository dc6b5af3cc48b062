import { createHash } from 'node:crypto';
import { ConfigError } from '../../config/config-error.js';
import type { Access, TokenTable } from './types.js';

const ACCESS: Record<string, Access> = { read: 'read', 'read-write': 'read-write' };
/** Printable ASCII without spaces: what fits in an Authorization header and in gRPC metadata. */
const TOKEN = /^[\x21-\x7e]+$/;

/**
 * `--token-file`: one token a line, `read TOKEN` or `read-write TOKEN`; blank lines and lines
 * starting with `#` are skipped. Tokens are kept as their SHA-256, so a lookup compares
 * digests, not the secret byte by byte.
 */
export function parseTokenFile(text: string, name = 'token file'): TokenTable {
  const table = new Map<string, Access>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [kind, token, ...rest] = line.split(/\s+/);
    const access = kind === undefined ? undefined : ACCESS[kind];
    if (access === undefined || token === undefined || rest.length > 0 || !TOKEN.test(token)) {
      throw new ConfigError(`${name}:${i + 1}: expected "read TOKEN" or "read-write TOKEN"`);
    }
    const key = digestOf(token);
    const known = table.get(key);
    if (known !== undefined && known !== access) throw new ConfigError(`${name}:${i + 1}: this token is listed as ${known} already`);
    table.set(key, access);
  });
  if (table.size === 0) throw new ConfigError(`${name}: no tokens (an empty file would leave the server open to everyone; leave out --token-file for that)`);
  return tokenTable(table);
}

/** No tokens: every request may read and write. */
export const NO_TOKENS: TokenTable = tokenTable(new Map());

function tokenTable(table: ReadonlyMap<string, Access>): TokenTable {
  return { size: table.size, lookup: (token) => table.get(digestOf(token)) };
}

function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
