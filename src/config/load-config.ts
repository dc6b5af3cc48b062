import { availableParallelism, homedir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import { ConfigError } from './config-error.js';
import { parseByteSize } from './parse-byte-size.js';
import { resolveRuntimeDir } from '../runtime/resolve-runtime-dir.js';
import { REMOTE_DEFAULTS, REMOTE_ROLES, REMOTE_SCHEMES, type RemoteRole, type RemoteSpec, type TrustSettings } from './remote-spec.js';
import { DIGEST_ALGORITHMS, type DigestAlgorithm } from '../hashing/types.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export interface Config {
  /** Per-user directory of the socket, lock, pid and log files (docs/protocol.md). */
  runtimeDir: string;
  /** Where cached data and persistent statistics live. */
  cacheDir: string;
  /** The daemon exits after this long without a request; 0 means never. */
  idleTimeoutMs: number;
  /** How many tools the daemon runs at once. */
  maxJobs: number;
  /** How long a call waits for a free job slot before it is declined (`daemon-busy`). */
  queueTimeoutMs: number;
  logLevel: LogLevel;
  /** One digest function per cache directory (DESIGN.md §4). */
  digest: DigestAlgorithm;
  /** REPRISE_CACHE=0 turns caching off: calls are still run by the daemon, nothing is stored. */
  cache: boolean;
  /** The store's size limit in bytes (REPRISE_MAX_SIZE); 0 means no limit. */
  maxSizeBytes: number;
  /**
   * REPRISE_BASE_DIR: absolute paths under it are keyed relative to the working directory,
   * so checkouts of one project at different paths share entries (ccache's base_dir).
   * Undefined: paths are keyed as given.
   */
  baseDir: string | undefined;
  /**
   * REPRISE_SANDBOX: `on` (the default) stores only results of compiles run in the sandbox;
   * where it cannot run, nothing is stored. `off` stores unsandboxed results, marked so.
   */
  sandbox: boolean;
  /** REPRISE_VERIFY_RATE: the fraction of hits also recompiled in the sandbox and compared (docs/verify.md). */
  verifyRate: number;
  /** REPRISE_TICKETS: after a C hit, leave a ticket the shim replays the same call from without a round trip (docs/protocol.md). */
  tickets: boolean;
  /** The team cache's remotes, in the order they are read (REPRISE_REMOTE, REPRISE_REMOTE_ROLE). */
  remotes: RemoteSpec[];
  /** Signing and trust of shared results. */
  trust: TrustSettings;
}

/** REPRISE_MAX_SIZE when unset. */
export const DEFAULT_MAX_SIZE_BYTES = 5 * 1024 ** 3;

type Env = Record<string, string | undefined>;

/** Reads the configuration from the environment, validating every value. */
export function loadConfig(env: Env = process.env): Config {
  const remotes = remoteList(env);
  return {
    runtimeDir: resolveRuntimeDir(env),
    cacheDir: nonEmpty(env.REPRISE_CACHE_DIR) ?? join(nonEmpty(env.XDG_CACHE_HOME) ?? join(homedir(), '.cache'), 'reprise'),
    idleTimeoutMs: seconds(env, 'REPRISE_IDLE_TIMEOUT', 600) * 1000,
    maxJobs: integer(env, 'REPRISE_MAX_JOBS', availableParallelism(), 1, 1024),
    queueTimeoutMs: seconds(env, 'REPRISE_QUEUE_TIMEOUT', 30) * 1000,
    logLevel: logLevel(env.REPRISE_LOG_LEVEL),
    // REAPI servers (and Bazel, ccache) name blobs by SHA-256: a cache that shares uses it.
    digest: digestAlgorithm(env.REPRISE_DIGEST, remotes.length > 0 ? 'sha256' : 'blake3'),
    cache: nonEmpty(env.REPRISE_CACHE) !== '0',
    maxSizeBytes: byteSize('REPRISE_MAX_SIZE', nonEmpty(env.REPRISE_MAX_SIZE), DEFAULT_MAX_SIZE_BYTES),
    baseDir: baseDir(env.REPRISE_BASE_DIR),
    sandbox: onOff(env, 'REPRISE_SANDBOX', true),
    verifyRate: fraction(env, 'REPRISE_VERIFY_RATE', 0),
    tickets: onOff(env, 'REPRISE_TICKETS', true),
    remotes,
    trust: trustSettings(env),
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}=${raw}: expected a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name}=${raw}: expected ${min} to ${max}`);
  return n;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  if (raw === 'on' || raw === '1') return true;
  if (raw === 'off' || raw === '0') return false;
  throw new ConfigError(`${name}=${raw}: expected on or off`);
}

function fraction(env: Env, name: string, fallback: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(raw) || Number(raw) > 1) throw new ConfigError(`${name}=${raw}: expected a fraction from 0 to 1 (0.01: one hit in a hundred)`);
  return Number(raw);
}

function seconds(env: Env, name: string, fallback: number): number {
  return integer(env, name, fallback, 0, 365 * 24 * 3600);
}

function digestAlgorithm(raw: string | undefined, fallback: DigestAlgorithm): DigestAlgorithm {
  const v = nonEmpty(raw) ?? fallback;
  if (!(DIGEST_ALGORITHMS as readonly string[]).includes(v)) throw new ConfigError(`REPRISE_DIGEST=${v}: expected one of ${DIGEST_ALGORITHMS.join(', ')}`);
  return v as DigestAlgorithm;
}

function logLevel(raw: string | undefined): LogLevel {
  const v = nonEmpty(raw) ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new ConfigError(`REPRISE_LOG_LEVEL=${v}: expected one of ${LOG_LEVELS.join(', ')}`);
  return v as LogLevel;
}

/** A size setting (`5G`, `500M`, `1.5GiB`, bytes); `name` is how the user spelled the setting. */
export function byteSize(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = parseByteSize(raw);
  if (n === undefined) throw new ConfigError(`${name}=${raw}: expected a size such as 5G, 500M, 1.5GiB, 2GB or a number of bytes (0: no limit)`);
  return n;
}

function baseDir(raw: string | undefined): string | undefined {
  const v = nonEmpty(raw);
  if (v === undefined) return undefined;
  if (!isAbsolute(v)) throw new ConfigError(`REPRISE_BASE_DIR=${v}: expected an absolute path`);
  const dir = normalize(v).replace(/(.)\/+$/, '$1');
  // Every path is under /: keying them all relative to the cwd would only make the cwd's depth matter.
  if (dir === '/') throw new ConfigError(`REPRISE_BASE_DIR=${v}: / would rewrite every path; name a project or home directory`);
  return dir;
}

/** REPRISE_REMOTE: comma-separated URLs, each with REPRISE_REMOTE_ROLE and REPRISE_REMOTE_TIMEOUT. */
function remoteList(env: Env): RemoteSpec[] {
  const raw = nonEmpty(env.REPRISE_REMOTE);
  if (raw === undefined) return [];
  const role = (nonEmpty(env.REPRISE_REMOTE_ROLE) ?? 'read-write') as RemoteRole;
  if (!REMOTE_ROLES.includes(role)) throw new ConfigError(`REPRISE_REMOTE_ROLE=${role}: expected one of ${REMOTE_ROLES.join(', ')}`);
  const timeoutMs = integer(env, 'REPRISE_REMOTE_TIMEOUT_MS', REMOTE_DEFAULTS.timeoutMs, 1, 3_600_000);
  const cooldownMs = integer(env, 'REPRISE_REMOTE_COOLDOWN_MS', REMOTE_DEFAULTS.cooldownMs, 0, 3_600_000);
  return raw.split(',').map((u) => u.trim()).filter((u) => u !== '').map((u) => remoteSpec('REPRISE_REMOTE', u, { ...REMOTE_DEFAULTS, role, timeoutMs, cooldownMs }));
}

/** A remote URL checked, with credentials in it moved to the spec (so the URL can be shown). */
export function remoteSpec(where: string, raw: string, base: Omit<RemoteSpec, 'url'>): RemoteSpec {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${where}: ${JSON.stringify(raw)} is not a URL (expected grpc://, grpcs://, http://, https://, redis:// or rediss://)`);
  }
  if (!(REMOTE_SCHEMES as readonly string[]).includes(url.protocol)) throw new ConfigError(`${where}: ${url.protocol}// is not a remote scheme (expected ${REMOTE_SCHEMES.map((s) => `${s}//`).join(', ')})`);
  const spec: RemoteSpec = { ...base, url: '' };
  if (url.username !== '') spec.username = decodeURIComponent(url.username);
  if (url.password !== '') spec.password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  spec.url = url.toString().replace(/\/$/, '');
  return spec;
}

/** REPRISE_SIGNING_KEY, REPRISE_TRUSTED_KEYS (comma-separated) and REPRISE_REMOTE_SALT. */
function trustSettings(env: Env): TrustSettings {
  const signing = nonEmpty(env.REPRISE_SIGNING_KEY);
  return {
    ...(signing !== undefined ? { signingKeyFile: signing } : {}),
    publicKeys: (nonEmpty(env.REPRISE_TRUSTED_KEYS) ?? '').split(',').map((k) => k.trim()).filter((k) => k !== ''),
    salt: env.REPRISE_REMOTE_SALT ?? '',
  };
}
