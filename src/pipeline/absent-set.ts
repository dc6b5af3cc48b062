import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isUnsettled } from '../hashing/settle-window.js';

/**
 * Paths that must stay absent, grouped by directory with the directory's stamp. Adding or
 * removing an entry changes a directory's mtime, so an unchanged directory proves all its
 * absent names still absent with one stat instead of one per name.
 */
export interface AbsentDir {
  dir: string;
  /** `ino:mtimeNs` of the directory, `missing`, or `unsettled` (modified too recently to trust its mtime). */
  stamp: string;
  names: string[];
}

export function dirStamp(dir: string, nowNs = BigInt(Date.now()) * 1_000_000n): string {
  try {
    const st = statSync(dir, { bigint: true, throwIfNoEntry: false });
    if (!st) return 'missing';
    if (!st.isDirectory()) return 'not-a-directory';
    // Changed too recently: another change within the same timestamp tick would not show.
    if (isUnsettled(st.mtimeNs, st.ctimeNs, nowNs)) return 'unsettled';
    return `${st.ino}:${st.mtimeNs}`;
  } catch {
    return 'missing';
  }
}

export function groupAbsent(paths: readonly string[]): AbsentDir[] {
  const byDir = new Map<string, string[]>();
  for (const p of paths) {
    const d = dirname(p);
    const names = byDir.get(d) ?? [];
    names.push(basename(p));
    byDir.set(d, names);
  }
  return [...byDir.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([dir, names]) => ({ dir, stamp: dirStamp(dir), names: names.sort() }));
}

/** Above this many names, one directory listing is cheaper than a stat per name. */
const LIST_AT = 4;

/** True while every path is still absent. */
export function stillAbsent(groups: readonly AbsentDir[]): boolean {
  for (const g of groups) {
    const now = dirStamp(g.dir);
    if (now === 'missing') continue; // no directory, no entries
    if (now === g.stamp && now !== 'unsettled' && now !== 'not-a-directory') continue;
    if (g.names.length > LIST_AT) {
      let entries: Set<string>;
      try {
        entries = new Set(readdirSync(g.dir));
      } catch {
        return false; // cannot tell: not a hit
      }
      if (g.names.some((n) => entries.has(n))) return false;
    } else if (g.names.some((n) => existsSync(join(g.dir, n)))) return false;
  }
  return true;
}
