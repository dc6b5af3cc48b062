import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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

/** A directory changed this recently may change again within one timestamp tick. */
const SETTLE_NS = 2_000_000_000n;

export function dirStamp(dir: string, nowNs = BigInt(Date.now()) * 1_000_000n): string {
  try {
    const st = statSync(dir, { bigint: true });
    if (!st.isDirectory()) return 'not-a-directory';
    if (nowNs - st.mtimeNs < SETTLE_NS || nowNs - st.ctimeNs < SETTLE_NS) return 'unsettled';
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

/** True while every path is still absent. */
export function stillAbsent(groups: readonly AbsentDir[]): boolean {
  for (const g of groups) {
    if (g.stamp === 'missing' || g.stamp === 'unsettled' || g.stamp === 'not-a-directory' || dirStamp(g.dir) !== g.stamp) {
      for (const n of g.names) if (existsSync(join(g.dir, n))) return false;
    }
  }
  return true;
}
