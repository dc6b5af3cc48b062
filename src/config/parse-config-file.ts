import { dirname } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from './config-error.js';
import { fileErrors } from './file-errors.js';
import { isTable, type FilePlace } from './file-value.js';
import { findKeyLines } from './find-key-lines.js';
import { parseRemoteTable } from './parse-remote-table.js';
import { parseExecutorTable } from './parse-executor-table.js';
import { SETTINGS, type AnySetting, type SettingTable } from './settings-table.js';
import type { FileLayer, FlatSettings } from './types.js';
import { ValueProblem } from './value-problem.js';

const TABLES: readonly SettingTable[] = ['cache', 'daemon', 'trust'];
const TOP_LEVEL = '[cache], [daemon], [[remote]], [[executor]], [trust]';

/**
 * The config file's text checked against the schema (docs/config.md): an unknown table or
 * key, a value of the wrong kind or out of range is a ConfigError naming the file, the line,
 * the key and what is allowed.
 */
export function parseConfigFile(text: string, path: string, home: string): FileLayer {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    throw new ConfigError(`${path}:${e.line}:${e.column}: not valid TOML: ${e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')}`);
  }
  const lines = findKeyLines(text);
  const errors = fileErrors(path, lines);
  const place: FilePlace = { dir: dirname(path), home };
  const layer: FileLayer = { path, values: {}, remotes: undefined, remoteKeys: [], executors: undefined, executorKeys: [], lines };

  for (const [name, value] of Object.entries(doc)) {
    if (name === 'remote') {
      // [[remote]] tables, or remote = [{...}]; a lone [remote] table is the usual slip.
      if (!Array.isArray(value) || !value.every(isTable)) throw new ConfigError(`${errors.at(name)}: remote must be [[remote]] tables (one per remote, in the order they are read)`);
      layer.remotes = [];
      value.forEach((t, i) => {
        const { spec, keys } = parseRemoteTable(t, `remote[${i + 1}]`, place, errors);
        layer.remotes!.push(spec);
        layer.remoteKeys.push(keys);
      });
      continue;
    }
    if (name === 'executor') {
      if (!Array.isArray(value) || !value.every(isTable)) throw new ConfigError(`${errors.at(name)}: executor must be [[executor]] tables (one per executor, in the order they are tried)`);
      layer.executors = [];
      value.forEach((t, i) => {
        const { spec, keys } = parseExecutorTable(t, `executor[${i + 1}]`, place, errors);
        layer.executors!.push(spec);
        layer.executorKeys.push(keys);
      });
      continue;
    }
    if (!(TABLES as readonly string[]).includes(name)) {
      const home = SETTINGS.find((s) => s.name === name);
      const hint = home ? `; ${name} belongs in [${home.table}]` : '';
      throw new ConfigError(`${errors.at(name)}: unknown ${isTable(value) ? `table [${name}]` : `key ${name}`} (allowed: ${TOP_LEVEL}${hint})`);
    }
    if (!isTable(value)) throw errors.bad(name, value, `expected a table, [${name}]`);
    const table = name as SettingTable;
    const allowed = SETTINGS.filter((s) => s.table === table);
    for (const [k, v] of Object.entries(value)) {
      const s = allowed.find((a) => a.name === k);
      if (!s) throw errors.unknownKey(`${table}.${k}`, `[${table}]`, allowed.map((a) => a.name));
      try {
        take(s, v, place, layer.values);
      } catch (e) {
        if (e instanceof ValueProblem) throw errors.bad(`${table}.${k}`, v, e.message);
        throw e;
      }
    }
  }
  return layer;
}

function take<K extends keyof FlatSettings>(s: AnySetting & { field: K }, v: unknown, place: FilePlace, out: Partial<FlatSettings>): void {
  out[s.field] = s.fromFile(v, place) as FlatSettings[K];
}
