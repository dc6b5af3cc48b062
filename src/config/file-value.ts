// Checks of the config file's TOML values. Each returns the value or throws a ValueProblem
// saying what is allowed; parse-config-file.ts adds the file, line and key.
import { isAbsolute, join, normalize, resolve } from 'node:path';
import { isRecord } from '../json/parse-json-object.js';
import { parseByteSize } from './parse-byte-size.js';
import { parseDuration } from './parse-duration.js';
import { showDuration } from './show-units.js';
import { ValueProblem } from './value-problem.js';

/** What relative paths in the file are relative to. */
export interface FilePlace {
  /** The config file's directory. */
  dir: string;
  home: string;
}

/** A TOML table (smol-toml gives dates as Date objects, which are not tables). */
export function isTable(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && !(v instanceof Date);
}

export const fileValue = {
  string(v: unknown): string {
    if (typeof v !== 'string') throw new ValueProblem('expected a string');
    return v;
  },

  /** `~/x` is under the home directory; a relative path is taken from the file's directory. */
  path(v: unknown, place: FilePlace): string {
    if (typeof v !== 'string' || v === '') throw new ValueProblem('expected a path (absolute, ~/..., or relative to the config file)');
    if (v === '~' || v.startsWith('~/')) return normalize(join(place.home, v.slice(1)));
    return isAbsolute(v) ? normalize(v) : resolve(place.dir, v);
  },

  bool(v: unknown): boolean {
    if (typeof v !== 'boolean') throw new ValueProblem('expected true or false');
    return v;
  },

  duration(v: unknown, minMs: number, maxMs: number): number {
    const ms = parseDuration(v);
    if (ms === undefined || ms < minMs || ms > maxMs) {
      throw new ValueProblem(`expected a duration from ${showDuration(minMs)} to ${showDuration(maxMs)}, such as "500ms", "5s", "10m", "1h", or a number of seconds`);
    }
    return ms;
  },

  size(v: unknown): number {
    const n = typeof v === 'number' ? (Number.isSafeInteger(v) && v >= 0 ? v : undefined) : typeof v === 'string' ? parseByteSize(v) : undefined;
    if (n === undefined) throw new ValueProblem('expected a size such as "5G", "500M", "1.5GiB", "2GB", or a whole number of bytes (0: no limit)');
    return n;
  },

  integer(v: unknown, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ValueProblem(`expected a whole number from ${min} to ${max}`);
    return v;
  },

  fraction(v: unknown): number {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new ValueProblem('expected a number from 0 to 1 (0.01: one hit in a hundred)');
    return v;
  },

  oneOf<T extends string>(v: unknown, allowed: readonly T[]): T {
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new ValueProblem(`expected one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return v as T;
  },

  stringList(v: unknown): string[] {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new ValueProblem('expected a list of strings, ["..."]');
    return v as string[];
  },

  stringTable(v: unknown): Record<string, string> {
    if (!isTable(v) || !Object.values(v).every((s) => typeof s === 'string')) throw new ValueProblem('expected a table of strings, { Name = "value" }');
    return { ...(v as Record<string, string>) };
  },
};
