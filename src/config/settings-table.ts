// Every one-value setting once: its config file key, its REPRISE_* variable, how each is
// read, its default and how it is shown. The file's [cache], [daemon] and [trust] tables
// are exactly these keys; [[remote]] is parse-remote-table.ts, [[executor]] parse-executor-table.ts.
import { availableParallelism, homedir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import { DIGEST_ALGORITHMS } from '../hashing/types.js';
import { EXECUTE_POLICIES, type ExecutePolicy } from './executor-spec.js';
import { SIZE_EXPECTED } from './byte-size.js';
import { checkPublicKey } from './check-public-key.js';
import { fileValue, type FilePlace } from './file-value.js';
import { parseByteSize } from './parse-byte-size.js';
import { showDuration, showSize } from './show-units.js';
import { LOG_LEVELS, type FlatSettings, type ShownValue } from './types.js';
import { ValueProblem } from './value-problem.js';

export type SettingTable = 'cache' | 'daemon' | 'trust';

export interface Setting<K extends keyof FlatSettings> {
  table: SettingTable;
  /** The key inside its table (`max_size`). */
  name: string;
  field: K;
  env: string;
  /** Reads the variable's text (never empty: an empty variable counts as unset). Throws ValueProblem. */
  fromEnv(raw: string): FlatSettings[K];
  /** Checks the file's TOML value. Throws ValueProblem. */
  fromFile(value: unknown, place: FilePlace): FlatSettings[K];
  /** As the file would spell it; undefined when unset. */
  show(value: FlatSettings[K]): ShownValue | undefined;
}

export type AnySetting = { [K in keyof FlatSettings]: Setting<K> }[keyof FlatSettings];

/** `cache.max_size`: how sources, errors and `reprise config show` name a setting. */
export const settingKey = (s: AnySetting): string => `${s.table}.${s.name}`;

/** REPRISE_MAX_SIZE when unset. */
export const DEFAULT_MAX_SIZE_BYTES = 5 * 1024 ** 3;
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** The defaults, before the file and the variables (the digest's depends on the remotes: resolve-config.ts). */
export function defaultSettings(env: Record<string, string | undefined>): FlatSettings {
  return {
    cacheDir: join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'reprise'),
    maxSizeBytes: DEFAULT_MAX_SIZE_BYTES,
    digest: 'blake3',
    baseDir: undefined,
    sandbox: true,
    verifyRate: 0,
    tickets: true,
    cache: true,
    idleTimeoutMs: 600_000,
    maxJobs: availableParallelism(),
    queueTimeoutMs: 30_000,
    logLevel: 'info',
    execute: undefined,
    signingKeyFile: undefined,
    publicKeys: [],
    salt: '',
  };
}

export const SETTINGS: readonly AnySetting[] = [
  setting({ table: 'cache', name: 'dir', field: 'cacheDir', env: 'REPRISE_CACHE_DIR', fromEnv: (raw) => raw, fromFile: fileValue.path, show: (v) => v }),
  setting({
    table: 'cache', name: 'max_size', field: 'maxSizeBytes', env: 'REPRISE_MAX_SIZE',
    fromEnv: (raw) => parseByteSize(raw) ?? fail(SIZE_EXPECTED),
    fromFile: fileValue.size,
    show: showSize,
  }),
  setting({
    table: 'cache', name: 'digest', field: 'digest', env: 'REPRISE_DIGEST',
    fromEnv: (raw) => ((DIGEST_ALGORITHMS as readonly string[]).includes(raw) ? (raw as FlatSettings['digest']) : fail(`expected one of ${DIGEST_ALGORITHMS.join(', ')}`)),
    fromFile: (v) => fileValue.oneOf(v, DIGEST_ALGORITHMS),
    show: (v) => v,
  }),
  setting({ table: 'cache', name: 'base_dir', field: 'baseDir', env: 'REPRISE_BASE_DIR', fromEnv: baseDir, fromFile: (v, place) => baseDir(fileValue.path(v, place)), show: (v) => v }),
  setting({ table: 'cache', name: 'sandbox', field: 'sandbox', env: 'REPRISE_SANDBOX', fromEnv: onOff, fromFile: fileValue.bool, show: (v) => v }),
  setting({
    table: 'cache', name: 'verify_rate', field: 'verifyRate', env: 'REPRISE_VERIFY_RATE',
    fromEnv: (raw) => (/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(raw) && Number(raw) <= 1 ? Number(raw) : fail('expected a fraction from 0 to 1 (0.01: one hit in a hundred)')),
    fromFile: fileValue.fraction,
    show: (v) => v,
  }),
  setting({ table: 'cache', name: 'tickets', field: 'tickets', env: 'REPRISE_TICKETS', fromEnv: onOff, fromFile: fileValue.bool, show: (v) => v }),
  // REPRISE_CACHE=0 is off and anything else on, as it always was.
  setting({ table: 'cache', name: 'enabled', field: 'cache', env: 'REPRISE_CACHE', fromEnv: (raw) => raw !== '0', fromFile: fileValue.bool, show: (v) => v }),
  setting({
    table: 'daemon', name: 'idle_timeout', field: 'idleTimeoutMs', env: 'REPRISE_IDLE_TIMEOUT',
    fromEnv: (raw) => wholeNumber(raw, 0, YEAR_MS / 1000) * 1000,
    fromFile: (v) => fileValue.duration(v, 0, YEAR_MS),
    show: showDuration,
  }),
  setting({ table: 'daemon', name: 'max_jobs', field: 'maxJobs', env: 'REPRISE_MAX_JOBS', fromEnv: (raw) => wholeNumber(raw, 1, 1024), fromFile: (v) => fileValue.integer(v, 1, 1024), show: (v) => v }),
  setting({
    table: 'daemon', name: 'queue_timeout', field: 'queueTimeoutMs', env: 'REPRISE_QUEUE_TIMEOUT',
    fromEnv: (raw) => wholeNumber(raw, 0, YEAR_MS / 1000) * 1000,
    fromFile: (v) => fileValue.duration(v, 0, YEAR_MS),
    show: showDuration,
  }),
  setting({
    table: 'daemon', name: 'log_level', field: 'logLevel', env: 'REPRISE_LOG_LEVEL',
    fromEnv: (raw) => ((LOG_LEVELS as readonly string[]).includes(raw) ? (raw as FlatSettings['logLevel']) : fail(`expected one of ${LOG_LEVELS.join(', ')}`)),
    fromFile: (v) => fileValue.oneOf(v, LOG_LEVELS),
    show: (v) => v,
  }),
  setting({
    table: 'daemon', name: 'execute', field: 'execute', env: 'REPRISE_EXECUTE',
    fromEnv: (raw) => ((EXECUTE_POLICIES as readonly string[]).includes(raw) ? (raw as ExecutePolicy) : fail(`expected one of ${EXECUTE_POLICIES.join(', ')}`)),
    fromFile: (v) => fileValue.oneOf(v, EXECUTE_POLICIES),
    show: (v) => v,
  }),
  setting({ table: 'trust', name: 'signing_key', field: 'signingKeyFile', env: 'REPRISE_SIGNING_KEY', fromEnv: (raw) => raw, fromFile: fileValue.path, show: (v) => v }),
  setting({
    table: 'trust', name: 'public_keys', field: 'publicKeys', env: 'REPRISE_TRUSTED_KEYS',
    fromEnv: (raw) => raw.split(',').map((k) => k.trim()).filter((k) => k !== '').map(checkPublicKey),
    fromFile: (v) => fileValue.stringList(v).map(checkPublicKey),
    show: (v) => v,
  }),
  setting({ table: 'trust', name: 'salt', field: 'salt', env: 'REPRISE_REMOTE_SALT', fromEnv: (raw) => raw, fromFile: fileValue.string, show: (v) => v }),
];

/** Keeps each entry's field and functions in step (the table's element type is a union). */
function setting<K extends keyof FlatSettings>(s: Setting<K>): AnySetting {
  return s as unknown as AnySetting;
}

function fail(expected: string): never {
  throw new ValueProblem(expected);
}

function wholeNumber(raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) fail('expected a whole number');
  const n = Number(raw);
  if (n < min || n > max) fail(`expected ${min} to ${max}`);
  return n;
}

function onOff(raw: string): boolean {
  if (raw === 'on' || raw === '1') return true;
  if (raw === 'off' || raw === '0') return false;
  return fail('expected on or off');
}

function baseDir(raw: string): string {
  if (!isAbsolute(raw)) fail('expected an absolute path');
  const dir = normalize(raw).replace(/(.)\/+$/, '$1');
  // Every path is under /: keying them all relative to the cwd would only make the cwd's depth matter.
  if (dir === '/') fail('/ would rewrite every path; name a project or home directory');
  return dir;
}
