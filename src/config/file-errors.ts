import { ConfigError } from './config-error.js';
import { isSecretName, redactUrl } from './redact-url.js';

/** Errors about the config file that name the file, the line where known, the key and what is allowed. */
export interface FileErrors {
  /** `path:line` where the key's line is known, else the path. */
  at(key: string): string;
  /** A bad value: `config.toml:4: cache.max_size = "5 gigs": expected a size such as ...`. */
  bad(key: string, value: unknown, expected: string): ConfigError;
  /** A key the table does not have, with the keys it does. */
  unknownKey(key: string, table: string, allowed: readonly string[]): ConfigError;
}

export function fileErrors(path: string, lines: ReadonlyMap<string, number>): FileErrors {
  const at = (key: string): string => {
    const line = lines.get(key);
    return line === undefined ? path : `${path}:${line}`;
  };
  return {
    at,
    bad: (key, value, expected) => new ConfigError(`${at(key)}: ${key}${shown(key, value)}: ${expected}`),
    unknownKey: (key, table, allowed) => new ConfigError(`${at(key)}: unknown key ${key} (allowed in ${table}: ${allowed.join(', ')})`),
  };
}

/** ` = "5 gigs"`, or nothing for a secret (a token's value is not echoed even when wrong). */
function shown(key: string, value: unknown): string {
  const name = key.slice(key.lastIndexOf('.') + 1);
  if (isSecretName(name) || /\.headers(\.|$)/.test(key)) return '';
  if (value instanceof Date) return ` = ${value.toISOString()}`;
  const text = typeof value === 'string' && name === 'url' ? JSON.stringify(redactUrl(value)) : JSON.stringify(value);
  if (text === undefined) return '';
  return ` = ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}
