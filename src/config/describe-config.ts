import { flattenConfig } from './flatten-config.js';
import { REMOTE_FIELDS, REMOTE_KEYS, type RemoteKey } from './parse-remote-table.js';
import { EXECUTOR_FIELDS, EXECUTOR_KEYS, type ExecutorKey } from './parse-executor-table.js';
import type { ExecutorSpec } from './executor-spec.js';
import { isSecretName, REDACTED, redactUrl } from './redact-url.js';
import type { RemoteSpec } from './remote-spec.js';
import { SETTINGS, settingKey, type AnySetting } from './settings-table.js';
import { showDuration } from './show-units.js';
import type { FlatSettings, ResolvedConfig, SettingSource, ShownValue } from './types.js';

/** One effective setting for `reprise config show`: its file key, its value as the file would spell it (secrets redacted) and its source. */
export interface ConfigEntry {
  key: string;
  /** Undefined: unset. */
  value: ShownValue | undefined;
  source: SettingSource;
}

/** The `reprise config show --json` document. */
export interface ConfigDescription {
  file: ResolvedConfig['file'];
  runtimeDir: { value: string; source: SettingSource };
  /** In file order: [cache], [daemon], each [[remote]] (its header as `remote[N]`), each [[executor]] (`executor[N]`), [trust]. */
  settings: ConfigEntry[];
}

/** The effective settings with sources, ready to print; no secret is in it. */
export function describeConfig(r: ResolvedConfig): ConfigDescription {
  const flat = flattenConfig(r.config);
  const source = (key: string): SettingSource => r.sources[key] ?? { kind: 'default' };
  const one = (s: AnySetting): ConfigEntry => ({ key: settingKey(s), value: show(s, flat), source: source(settingKey(s)) });
  const settings: ConfigEntry[] = SETTINGS.filter((s) => s.table !== 'trust').map(one);
  r.config.remotes.forEach((remote, i) => {
    const name = `remote[${i + 1}]`;
    settings.push({ key: name, value: undefined, source: source(name) });
    for (const k of REMOTE_KEYS) {
      const value = showRemoteField(remote, k);
      // Unset credentials and CA files are left out: every remote would list four empty lines.
      if (value !== undefined) settings.push({ key: `${name}.${k}`, value, source: source(`${name}.${k}`) });
    }
  });
  r.config.executors.forEach((executor, i) => {
    const name = `executor[${i + 1}]`;
    settings.push({ key: name, value: undefined, source: source(name) });
    for (const k of EXECUTOR_KEYS) {
      const value = showExecutorField(executor, k);
      if (value !== undefined) settings.push({ key: `${name}.${k}`, value, source: source(`${name}.${k}`) });
    }
  });
  settings.push(...SETTINGS.filter((s) => s.table === 'trust').map(one));
  return { file: r.file, runtimeDir: { value: r.config.runtimeDir, source: source('runtime_dir') }, settings };
}

function show<K extends keyof FlatSettings>(s: AnySetting & { field: K }, flat: FlatSettings): ShownValue | undefined {
  const value = flat[s.field];
  return value === undefined ? undefined : (s.show as (v: FlatSettings[K]) => ShownValue | undefined)(value);
}

function showRemoteField(r: RemoteSpec, key: RemoteKey): ShownValue | undefined {
  const v = r[REMOTE_FIELDS[key]];
  if (v === undefined) return undefined;
  switch (key) {
    case 'url': return redactUrl(r.url);
    case 'token':
    case 'password': return REDACTED;
    case 'timeout':
    case 'cooldown': return showDuration(v as number);
    case 'headers': return Object.fromEntries(Object.entries(r.headers).map(([h, value]) => [h, isSecretName(h) ? REDACTED : value]));
    default: return v as ShownValue;
  }
}

function showExecutorField(e: ExecutorSpec, key: ExecutorKey): ShownValue | undefined {
  const v = e[EXECUTOR_FIELDS[key]];
  if (v === undefined) return undefined;
  switch (key) {
    case 'url': return redactUrl(e.url);
    case 'timeout':
    case 'cooldown': return showDuration(v as number);
    case 'platform': return Object.keys(e.platform).length === 0 ? undefined : { ...e.platform };
    default: return v as ShownValue;
  }
}
