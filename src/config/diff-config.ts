import { flattenConfig } from './flatten-config.js';
import type { Config } from './load-config.js';
import { SETTINGS, settingKey } from './settings-table.js';

/**
 * The file keys whose effective values differ between two configurations, in table order;
 * `remote` (`executor`) when the list of remotes (executors) differs in any way.
 */
export function diffConfig(a: Config, b: Config): string[] {
  const fa = flattenConfig(a);
  const fb = flattenConfig(b);
  const keys = SETTINGS.filter((s) => canonical(fa[s.field]) !== canonical(fb[s.field])).map(settingKey);
  if (canonical(a.remotes) !== canonical(b.remotes)) keys.push('remote');
  if (canonical(a.executors) !== canonical(b.executors)) keys.push('executor');
  if (a.runtimeDir !== b.runtimeDir) keys.push('runtime_dir');
  return keys;
}

/** JSON with object keys sorted: a file whose lines were only reordered is the same configuration. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : value) ?? 'undefined';
}
