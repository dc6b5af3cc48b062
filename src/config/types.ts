// The shapes of the configuration's layers: defaults, the config file, REPRISE_* variables.
import type { DigestAlgorithm } from '../hashing/types.js';
import type { Config } from './load-config.js';
import type { ExecutePolicy, ExecutorSpec } from './executor-spec.js';
import type { RemoteSpec } from './remote-spec.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** The settings that are one value each, named as Config names them (trust's fields flattened). */
export interface FlatSettings {
  cacheDir: string;
  maxSizeBytes: number;
  digest: DigestAlgorithm;
  baseDir: string | undefined;
  sandbox: boolean;
  verifyRate: number;
  tickets: boolean;
  cache: boolean;
  idleTimeoutMs: number;
  maxJobs: number;
  queueTimeoutMs: number;
  logLevel: LogLevel;
  /** Undefined: `auto` when an executor is configured, else `local` (resolve-config.ts). */
  execute: ExecutePolicy | undefined;
  signingKeyFile: string | undefined;
  publicKeys: string[];
  salt: string;
}

/** Where an effective setting came from (`reprise config show`, docs/config.md). */
export type SettingSource =
  | { kind: 'default'; note?: string }
  | { kind: 'file'; path: string; key: string; line?: number }
  | { kind: 'env'; name: string };

/** A value as the config file would spell it, secrets already redacted; undefined: unset. */
export type ShownValue = string | number | boolean | string[] | Record<string, string>;

/** The config file's bytes, or that there is none at its path. */
export interface ConfigFileRead {
  path: string;
  /** REPRISE_CONFIG named it (rather than the XDG default). */
  explicit: boolean;
  exists: boolean;
  text: string;
  /** SHA-256 of the bytes; undefined when the file is absent. */
  digest: string | undefined;
}

/** What the config file sets, checked. */
export interface FileLayer {
  path: string;
  values: Partial<FlatSettings>;
  /** Undefined when the file has no [[remote]] tables. */
  remotes: RemoteSpec[] | undefined;
  /** The file keys each remote's fields came from (`remote[1].timeout`), per remote. */
  remoteKeys: Array<Set<string>>;
  /** Undefined when the file has no [[executor]] tables. */
  executors: ExecutorSpec[] | undefined;
  /** The file keys each executor's fields came from, per executor. */
  executorKeys: Array<Set<string>>;
  /** Line of each key (`cache.max_size`, `remote[2].url`, `remote[2]` for the header) where it could be found. */
  lines: ReadonlyMap<string, number>;
}

/** What REPRISE_* variables set, checked. */
export interface EnvLayer {
  values: Partial<FlatSettings>;
  /** From REPRISE_REMOTE; when set it replaces the file's remotes. */
  remotes: RemoteSpec[] | undefined;
  /** REPRISE_REMOTE_ROLE, _TIMEOUT_MS, _COOLDOWN_MS: applied to every remote, the file's too. */
  remoteOverrides: Partial<Pick<RemoteSpec, 'role' | 'timeoutMs' | 'cooldownMs'>>;
  /** From REPRISE_EXECUTOR: when set it replaces the file's executors. */
  executors: ExecutorSpec[] | undefined;
}

/** The effective configuration, where each value came from, and the file it read. */
export interface ResolvedConfig {
  config: Config;
  /** By file key: `cache.max_size`, `remote[1].url`, `trust.salt`; and `runtime_dir`. */
  sources: Record<string, SettingSource>;
  file: Omit<ConfigFileRead, 'text'>;
}
