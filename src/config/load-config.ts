// The configuration: defaults, then the config file (docs/config.md), then REPRISE_*
// variables. resolve-config.ts does the work and also says where each value came from.
import type { DigestAlgorithm } from '../hashing/types.js';
import type { ExecutePolicy, ExecutorSpec } from './executor-spec.js';
import type { RemoteSpec, TrustSettings } from './remote-spec.js';
import { resolveConfig } from './resolve-config.js';
import type { LogLevel } from './types.js';

export type { LogLevel } from './types.js';
export { byteSize } from './byte-size.js';
export { DEFAULT_MAX_SIZE_BYTES } from './settings-table.js';

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
  /** The team cache's remotes, in the order they are read (the file's [[remote]] tables, or REPRISE_REMOTE). */
  remotes: RemoteSpec[];
  /** REAPI executors a miss may run on, in the order they are tried (the file's [[executor]] tables, or REPRISE_EXECUTOR). */
  executors: ExecutorSpec[];
  /** REPRISE_EXECUTE: when a miss goes to an executor (docs/remote-execution.md). */
  execute: ExecutePolicy;
  /** Signing and trust of shared results. */
  trust: TrustSettings;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the configuration (the config file, then the environment, which overrides it),
 * validating every value. A bad value is a ConfigError naming the variable, or the file,
 * line and key.
 */
export function loadConfig(env: Env = process.env): Config {
  return resolveConfig(env).config;
}
