import { ConfigError } from './config-error.js';
import { EXECUTOR_DEFAULTS } from './executor-spec.js';
import { executorSpecFromUrl } from './executor-spec-from-url.js';
import { REMOTE_DEFAULTS, REMOTE_ROLES, type RemoteRole } from './remote-spec.js';
import { remoteSpecFromUrl } from './remote-spec-from-url.js';
import { SETTINGS, type AnySetting } from './settings-table.js';
import type { EnvLayer, FlatSettings } from './types.js';
import { ValueProblem } from './value-problem.js';

type Env = Record<string, string | undefined>;

/** What the REPRISE_* variables set, checked; an empty variable counts as unset. */
export function envLayer(env: Env): EnvLayer {
  const values: Partial<FlatSettings> = {};
  for (const s of SETTINGS) {
    const raw = env[s.env];
    if (raw !== undefined && raw !== '') take(s, raw, values);
  }
  const remoteOverrides: EnvLayer['remoteOverrides'] = {};
  const role = env.REPRISE_REMOTE_ROLE;
  if (role) {
    if (!(REMOTE_ROLES as readonly string[]).includes(role)) throw new ConfigError(`REPRISE_REMOTE_ROLE=${role}: expected one of ${REMOTE_ROLES.join(', ')}`);
    remoteOverrides.role = role as RemoteRole;
  }
  const timeoutMs = milliseconds(env, 'REPRISE_REMOTE_TIMEOUT_MS', 1);
  if (timeoutMs !== undefined) remoteOverrides.timeoutMs = timeoutMs;
  const cooldownMs = milliseconds(env, 'REPRISE_REMOTE_COOLDOWN_MS', 0);
  if (cooldownMs !== undefined) remoteOverrides.cooldownMs = cooldownMs;

  // REPRISE_REMOTE: comma-separated URLs; it replaces the file's [[remote]] tables.
  const urls = env.REPRISE_REMOTE ? env.REPRISE_REMOTE.split(',').map((u) => u.trim()).filter((u) => u !== '') : undefined;
  const remotes = urls?.map((u) => remoteSpecFromUrl('REPRISE_REMOTE', u, { ...REMOTE_DEFAULTS, ...remoteOverrides }));
  // REPRISE_EXECUTOR: comma-separated grpc:// URLs; it replaces the file's [[executor]] tables.
  const execUrls = env.REPRISE_EXECUTOR ? env.REPRISE_EXECUTOR.split(',').map((u) => u.trim()).filter((u) => u !== '') : undefined;
  const executors = execUrls?.map((u) => executorSpecFromUrl('REPRISE_EXECUTOR', u, EXECUTOR_DEFAULTS));
  return { values, remotes, remoteOverrides, executors };
}

function take<K extends keyof FlatSettings>(s: AnySetting & { field: K }, raw: string, out: Partial<FlatSettings>): void {
  try {
    out[s.field] = s.fromEnv(raw) as FlatSettings[K];
  } catch (e) {
    if (e instanceof ValueProblem) throw new ConfigError(`${s.env}=${raw}: ${e.message}`);
    throw e;
  }
}

function milliseconds(env: Env, name: string, min: number): number | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}=${raw}: expected a whole number`);
  const n = Number(raw);
  if (n < min || n > 3_600_000) throw new ConfigError(`${name}=${raw}: expected ${min} to 3600000`);
  return n;
}
