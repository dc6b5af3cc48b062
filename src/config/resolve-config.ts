import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';
import { ConfigError } from './config-error.js';
import { resolveRuntimeDir } from '../runtime/resolve-runtime-dir.js';
import { configFilePath } from './config-file-path.js';
import { envLayer } from './env-layer.js';
import type { Config } from './load-config.js';
import { parseConfigFile } from './parse-config-file.js';
import { REMOTE_KEYS, type RemoteKey } from './parse-remote-table.js';
import { EXECUTOR_KEYS } from './parse-executor-table.js';
import type { ExecutorSpec } from './executor-spec.js';
import { readConfigFile } from './read-config-file.js';
import type { RemoteSpec } from './remote-spec.js';
import { defaultSettings, SETTINGS, settingKey } from './settings-table.js';
import type { ConfigFileRead, EnvLayer, FileLayer, FlatSettings, ResolvedConfig, SettingSource } from './types.js';

type Env = Record<string, string | undefined>;

/** The variables that override one field of every remote. */
const REMOTE_OVERRIDES: Array<{ key: RemoteKey; field: keyof EnvLayer['remoteOverrides']; env: string }> = [
  { key: 'role', field: 'role', env: 'REPRISE_REMOTE_ROLE' },
  { key: 'timeout', field: 'timeoutMs', env: 'REPRISE_REMOTE_TIMEOUT_MS' },
  { key: 'cooldown', field: 'cooldownMs', env: 'REPRISE_REMOTE_COOLDOWN_MS' },
];

/**
 * The effective configuration: defaults, then the config file, then REPRISE_* variables
 * (each later one wins), with where every value came from. `read` is the file's bytes when
 * the caller has them (the daemon compares what it read with what it runs on).
 */
export function resolveConfig(env: Env = process.env, read?: ConfigFileRead): ResolvedConfig {
  const where = configFilePath(env);
  // The daemon runs in /, not in the directory of whoever started it.
  if (!isAbsolute(where.path)) throw new ConfigError(`REPRISE_CONFIG=${where.path}: expected an absolute path`);
  const file = read ?? readConfigFile(where);
  const fileLayer = file.exists ? parseConfigFile(file.text, file.path, env.HOME || homedir()) : undefined;
  const vars = envLayer(env);
  const flat = defaultSettings(env);
  const sources: Record<string, SettingSource> = {};
  const fromFile = (key: string): SettingSource => {
    const line = fileLayer?.lines.get(key);
    return { kind: 'file', path: file.path, key, ...(line !== undefined ? { line } : {}) };
  };

  for (const s of SETTINGS) {
    const key = settingKey(s);
    if (Object.hasOwn(vars.values, s.field)) {
      copy(s.field, vars.values, flat);
      sources[key] = { kind: 'env', name: s.env };
    } else if (fileLayer && Object.hasOwn(fileLayer.values, s.field)) {
      copy(s.field, fileLayer.values, flat);
      sources[key] = fromFile(key);
    } else sources[key] = { kind: 'default' };
  }

  const remotes = resolveRemotes(vars, fileLayer, sources, fromFile);
  // REAPI servers (and Bazel, ccache) name blobs by SHA-256: a cache that shares uses it.
  if (sources['cache.digest']?.kind === 'default' && remotes.length > 0) {
    flat.digest = 'sha256';
    sources['cache.digest'] = { kind: 'default', note: 'sha256 because a remote is configured' };
  }
  const executors = resolveExecutors(vars, fileLayer, sources, fromFile);
  if (sources['daemon.execute']?.kind === 'default') sources['daemon.execute'] = { kind: 'default', note: executors.length > 0 ? 'auto because an executor is configured' : 'local: no executor is configured' };
  sources.runtime_dir = env.REPRISE_RUNTIME_DIR ? { kind: 'env', name: 'REPRISE_RUNTIME_DIR' } : env.XDG_RUNTIME_DIR ? { kind: 'env', name: 'XDG_RUNTIME_DIR' } : { kind: 'default' };

  const config: Config = {
    runtimeDir: resolveRuntimeDir(env),
    cacheDir: flat.cacheDir,
    idleTimeoutMs: flat.idleTimeoutMs,
    maxJobs: flat.maxJobs,
    queueTimeoutMs: flat.queueTimeoutMs,
    logLevel: flat.logLevel,
    digest: flat.digest,
    cache: flat.cache,
    maxSizeBytes: flat.maxSizeBytes,
    baseDir: flat.baseDir,
    sandbox: flat.sandbox,
    verifyRate: flat.verifyRate,
    tickets: flat.tickets,
    remotes,
    executors,
    execute: flat.execute ?? (executors.length > 0 ? 'auto' : 'local'),
    trust: { ...(flat.signingKeyFile !== undefined ? { signingKeyFile: flat.signingKeyFile } : {}), publicKeys: flat.publicKeys, salt: flat.salt },
  };
  const { text: _text, ...fileState } = file;
  return { config, sources, file: fileState };
}

function copy<K extends keyof FlatSettings>(field: K, from: Partial<FlatSettings>, to: FlatSettings): void {
  to[field] = from[field] as FlatSettings[K];
}

/** REPRISE_REMOTE replaces the file's remotes; REPRISE_REMOTE_ROLE and friends override a field of every remote. */
function resolveRemotes(vars: EnvLayer, file: FileLayer | undefined, sources: Record<string, SettingSource>, fromFile: (key: string) => SettingSource): RemoteSpec[] {
  const fromEnv = vars.remotes !== undefined;
  const remotes = (vars.remotes ?? file?.remotes ?? []).map((r) => ({ ...r, ...vars.remoteOverrides }));
  remotes.forEach((r, i) => {
    const name = `remote[${i + 1}]`;
    const fileKeys = fromEnv ? undefined : file?.remoteKeys[i];
    sources[name] = fromEnv ? { kind: 'env', name: 'REPRISE_REMOTE' } : fromFile(name);
    for (const k of REMOTE_KEYS) {
      const key = `${name}.${k}`;
      const override = REMOTE_OVERRIDES.find((o) => o.key === k && vars.remoteOverrides[o.field] !== undefined);
      if (override) sources[key] = { kind: 'env', name: override.env };
      else if (fileKeys?.has(k)) sources[key] = fromFile(key);
      // The URL, and user and password when the URL held them.
      else if (fromEnv && (k === 'url' || (k === 'username' && r.username !== undefined) || (k === 'password' && r.password !== undefined))) sources[key] = { kind: 'env', name: 'REPRISE_REMOTE' };
      else if (!fromEnv && (k === 'username' || k === 'password') && r[k] !== undefined) sources[key] = fromFile(`${name}.url`);
      else sources[key] = { kind: 'default' };
    }
  });
  return remotes;
}

/** REPRISE_EXECUTOR replaces the file's executors. */
function resolveExecutors(vars: EnvLayer, file: FileLayer | undefined, sources: Record<string, SettingSource>, fromFile: (key: string) => SettingSource): ExecutorSpec[] {
  const fromEnv = vars.executors !== undefined;
  const executors = vars.executors ?? file?.executors ?? [];
  executors.forEach((_e, i) => {
    const name = `executor[${i + 1}]`;
    sources[name] = fromEnv ? { kind: 'env', name: 'REPRISE_EXECUTOR' } : fromFile(name);
    for (const k of EXECUTOR_KEYS) {
      const key = `${name}.${k}`;
      if (fromEnv) sources[key] = k === 'url' ? { kind: 'env', name: 'REPRISE_EXECUTOR' } : { kind: 'default' };
      else sources[key] = file?.executorKeys[i]?.has(k) ? fromFile(key) : { kind: 'default' };
    }
  });
  return executors;
}
