// One [[executor]] table of the config file: the same as one REPRISE_EXECUTOR URL, with every
// ExecutorSpec field settable.
import { ConfigError } from './config-error.js';
import { EXECUTOR_DEFAULTS, TOOLCHAIN_SOURCES, type ExecutorSpec } from './executor-spec.js';
import { executorSpecFromUrl } from './executor-spec-from-url.js';
import type { FileErrors } from './file-errors.js';
import { fileValue, type FilePlace } from './file-value.js';
import { readTableKeys } from './read-table-keys.js';

export const EXECUTOR_KEYS = ['url', 'instance', 'ca', 'token_file', 'timeout', 'cooldown', 'max_in_flight', 'trusted', 'platform', 'toolchain'] as const;
export type ExecutorKey = (typeof EXECUTOR_KEYS)[number];

/** The ExecutorSpec field each [[executor]] key sets. */
export const EXECUTOR_FIELDS: Record<ExecutorKey, keyof ExecutorSpec> = {
  url: 'url', instance: 'instance', ca: 'caFile', token_file: 'tokenFile', timeout: 'timeoutMs', cooldown: 'cooldownMs', max_in_flight: 'maxInFlight', trusted: 'trusted', platform: 'platform', toolchain: 'toolchain',
};

/** `name` is how messages call it (`executor[2]`). Returns the spec and the keys the table set. */
export function parseExecutorTable(table: Record<string, unknown>, name: string, place: FilePlace, errors: FileErrors): { spec: ExecutorSpec; keys: Set<ExecutorKey> } {
  const base: Omit<ExecutorSpec, 'url'> = { ...EXECUTOR_DEFAULTS, platform: {} };
  const keys = readTableKeys(table, name, '[[executor]]', EXECUTOR_KEYS, (key, v) => setField(base, key, v, place), errors);
  const url = table.url;
  if (url === undefined) throw new ConfigError(`${errors.at(name)}: ${name} has no url (every [[executor]] needs one: "grpc://HOST:PORT")`);
  if (typeof url !== 'string') throw errors.bad(`${name}.url`, url, 'expected a string, the executor\'s URL');
  return { spec: executorSpecFromUrl(`${errors.at(`${name}.url`)}: ${name}.url`, url, base), keys };
}

function setField(spec: Omit<ExecutorSpec, 'url'>, key: ExecutorKey, v: unknown, place: FilePlace): void {
  switch (key) {
    case 'url': return; // checked last
    case 'instance': spec.instance = fileValue.string(v); return;
    case 'ca': spec.caFile = fileValue.path(v, place); return;
    case 'token_file': spec.tokenFile = fileValue.path(v, place); return;
    case 'timeout': spec.timeoutMs = fileValue.duration(v, 100, 3_600_000); return;
    case 'cooldown': spec.cooldownMs = fileValue.duration(v, 1000, 3_600_000); return;
    case 'max_in_flight': spec.maxInFlight = fileValue.integer(v, 1, 1024); return;
    case 'trusted': spec.trusted = fileValue.bool(v); return;
    case 'platform': spec.platform = fileValue.stringTable(v); return;
    case 'toolchain': spec.toolchain = fileValue.oneOf(v, TOOLCHAIN_SOURCES); return;
  }
}
