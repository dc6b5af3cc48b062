// One [[remote]] table of the config file: the same as one REPRISE_REMOTE URL, with every
// RemoteSpec field settable (docs/config.md says which store decorator each one sets).
import type { FileErrors } from './file-errors.js';
import { fileValue, type FilePlace } from './file-value.js';
import { ConfigError } from './config-error.js';
import { REMOTE_DEFAULTS, REMOTE_ROLES, type RemoteSpec } from './remote-spec.js';
import { remoteSpecFromUrl } from './remote-spec-from-url.js';
import { readTableKeys } from './read-table-keys.js';
import { ValueProblem } from './value-problem.js';

export const REMOTE_KEYS = ['url', 'role', 'timeout', 'cooldown', 'headers', 'token', 'username', 'password', 'ca', 'instance', 'max_connections', 'upload_queue'] as const;
export type RemoteKey = (typeof REMOTE_KEYS)[number];

/** `table` is the remote's TOML table; `name` how it is called in messages (`remote[2]`). Returns the spec and the keys the table set. */
export function parseRemoteTable(table: Record<string, unknown>, name: string, place: FilePlace, errors: FileErrors): { spec: RemoteSpec; keys: Set<RemoteKey> } {
  const base: Omit<RemoteSpec, 'url'> = { ...REMOTE_DEFAULTS, headers: {} };
  const keys = readTableKeys(table, name, '[[remote]]', REMOTE_KEYS, (key, v) => setField(base, key, v, place), errors);
  const url = table.url;
  if (url === undefined) throw new ConfigError(`${errors.at(name)}: ${name} has no url (every [[remote]] needs one: "https://...", "grpc://...", "redis://...")`);
  if (typeof url !== 'string') throw errors.bad(`${name}.url`, url, 'expected a string, the remote\'s URL');
  const spec = remoteSpecFromUrl(`${errors.at(`${name}.url`)}: ${name}.url`, url, base);
  // Credentials may sit in the URL or in their own keys, but not both: which one would win is a guess.
  for (const cred of ['username', 'password'] as const) {
    if (keys.has(cred) && spec[cred] !== base[cred]) throw errors.bad(`${name}.${cred}`, undefined, `the url has a ${cred} too; give it in one place`);
  }
  return { spec, keys };
}

function setField(spec: Omit<RemoteSpec, 'url'>, key: RemoteKey, v: unknown, place: FilePlace): void {
  switch (key) {
    case 'url': return; // checked last, with the rest in place
    case 'role': spec.role = fileValue.oneOf(v, REMOTE_ROLES); return;
    case 'timeout': spec.timeoutMs = fileValue.duration(v, 1, 3_600_000); return;
    case 'cooldown': spec.cooldownMs = fileValue.duration(v, 0, 3_600_000); return;
    case 'headers': spec.headers = headers(v); return;
    case 'token': spec.token = nonEmpty(v); return;
    case 'username': spec.username = nonEmpty(v); return;
    case 'password': spec.password = nonEmpty(v); return;
    case 'ca': spec.caFile = fileValue.path(v, place); return;
    case 'instance': spec.instance = fileValue.string(v); return;
    case 'max_connections': spec.maxConnections = fileValue.integer(v, 1, 1024); return;
    case 'upload_queue': spec.uploadQueue = fileValue.integer(v, 0, 1_000_000); return;
  }
}

function nonEmpty(v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new ValueProblem('expected a non-empty string');
  return v;
}

/** Header names are HTTP tokens, values one line: anything else would fail on every request. */
function headers(v: unknown): Record<string, string> {
  const table = fileValue.stringTable(v);
  for (const [name, value] of Object.entries(table)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new ValueProblem(`expected header names made of letters, digits and -, not ${JSON.stringify(name)}`);
    if (/[\r\n\0]/.test(value)) throw new ValueProblem(`the value of header ${name} has a line break`);
  }
  return table;
}

/** The RemoteSpec field each [[remote]] key sets. */
export const REMOTE_FIELDS: Record<RemoteKey, keyof RemoteSpec> = {
  url: 'url', role: 'role', timeout: 'timeoutMs', cooldown: 'cooldownMs', headers: 'headers', token: 'token', username: 'username',
  password: 'password', ca: 'caFile', instance: 'instance', max_connections: 'maxConnections', upload_queue: 'uploadQueue',
};
