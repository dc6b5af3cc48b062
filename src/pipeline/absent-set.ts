import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isUnsettled } from '../hashing/settle-window.js';
import { createDirListings, type DirLook } from './dir-listings.js';

/**
 * Paths that must stay absent, grouped by directory with the directory's stamp. Adding or
 * removing an entry changes a directory's mtime, so an unchanged directory proves all its
 * absent names still absent with one stat instead of one per name.
 */
export interface AbsentDir {
  dir: string;
  /** `dev:ino:mtimeNs:ctimeNs` of the directory, `missing`, `not-a-directory`, or `unsettled` (changed too recently to trust). */
  stamp: string;
  names: string[];
  /**
   * For a missing directory: its nearest existing ancestor and that one's stamp. While the
   * ancestor is unchanged, nothing can have been created below it, so one stat of the
   * ancestor (shared by every missing directory under it) replaces one per directory.
   */
  parent?: { dir: string; stamp: string };
}

/** Stamps that prove nothing: the directory must be looked into. */
const UNTRUSTED = new Set(['unsettled', 'not-a-directory', 'missing']);

/** Whether a dirStamp names one state of a directory, so an equal stamp later vouches for its entries. */
export function isTrustedStamp(stamp: string): boolean {
  return !UNTRUSTED.has(stamp);
}

export function dirStamp(dir: string, nowNs = BigInt(Date.now()) * 1_000_000n): string {
  try {
    const st = statSync(dir, { bigint: true, throwIfNoEntry: false });
    if (!st) return 'missing';
    if (!st.isDirectory()) return 'not-a-directory';
    // Changed too recently: another change within the same timestamp tick would not show.
    if (isUnsettled(st.mtimeNs, st.ctimeNs, nowNs)) return 'unsettled';
    return `${st.dev}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return 'missing';
  }
}

/** Each directory with the names under it, in the order the paths come. */
function byDirectory(paths: readonly string[]): Map<string, string[]> {
  const byDir = new Map<string, string[]>();
  for (const p of paths) {
    const d = dirname(p);
    const names = byDir.get(d);
    if (names) names.push(basename(p));
    else byDir.set(d, [basename(p)]);
  }
  return byDir;
}

/** The groups with each directory (and ancestor) path mapped: to a call's absolute paths, or to stored ones. */
export function mapAbsentDirs(groups: readonly AbsentDir[], at: (dir: string) => string): AbsentDir[] {
  return groups.map((g) => ({ ...g, dir: at(g.dir), ...(g.parent ? { parent: { dir: at(g.parent.dir), stamp: g.parent.stamp } } : {}) }));
}

export function groupAbsent(paths: readonly string[]): AbsentDir[] {
  const byDir = byDirectory(paths);
  const stamps = memoStamps();
  const nearestExisting = (dir: string): { dir: string; stamp: string } | undefined => {
    for (let d = dirname(dir); ; d = dirname(d)) {
      const stamp = stamps(d);
      if (stamp !== 'missing') return UNTRUSTED.has(stamp) ? undefined : { dir: d, stamp };
      if (d === '/') return undefined;
    }
  };
  return [...byDir.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([dir, names]) => {
    const stamp = stamps(dir);
    const parent = stamp === 'missing' ? nearestExisting(dir) : undefined;
    return { dir, stamp, names: names.sort(), ...(parent ? { parent } : {}) };
  });
}

/** Above this many names, one directory listing is cheaper than a stat per name. */
const LIST_AT = 8;

/** The entries of a directory, undefined when it cannot be listed. */
function listDir(dir: string): Set<string> | undefined {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return undefined; // cannot tell
  }
}

/**
 * Whether none of `names` is an entry of `dir`: one listing for many names (or for any, once
 * `listing` has it), else a stat each. A directory that cannot be listed proves nothing.
 */
export function noneIn(dir: string, names: readonly string[], listing: (dir: string) => Set<string> | undefined = listDir, listed = false): boolean {
  if (names.length > LIST_AT || listed) {
    const entries = listing(dir);
    return entries !== undefined && !names.some((n) => entries.has(n));
  }
  return !names.some((n) => existsSync(join(dir, n)));
}

/**
 * Whether none of these paths exists, directory by directory: an entry in a listing counts
 * (a dangling symlink too: its target may appear where no stamp of ours looks).
 */
export function noneExist(paths: readonly string[], look: DirLook = createDirListings(1).look()): boolean {
  for (const [dir, names] of byDirectory(paths)) {
    const entries = look.entries(dir);
    if (entries === 'missing') continue; // nothing can be in it
    if (entries === undefined ? names.some((n) => existsSync(join(dir, n))) : names.some((n) => entries.has(n))) return false;
  }
  return true;
}

/** True while every path is still absent. */
export function stillAbsent(groups: readonly AbsentDir[]): boolean {
  const stamps = memoStamps();
  // A directory that changed (objects are written beside the sources) is listed at most once per check.
  const listings = new Map<string, Set<string> | undefined>();
  const listing = (dir: string): Set<string> | undefined => {
    if (!listings.has(dir)) listings.set(dir, listDir(dir));
    return listings.get(dir);
  };
  for (const g of groups) {
    // Only an ancestor's stamp can vouch for a missing directory (stored paths are resolved per call).
    if (g.parent && isBelow(g.dir, g.parent.dir)) {
      if (stamps(g.parent.dir) === g.parent.stamp) continue;
      // The ancestor changed: if the first step below it is still not there, neither is the rest.
      const first = g.dir.slice(g.parent.dir.length).split('/').find((part) => part !== '');
      const known = listings.get(g.parent.dir);
      if (first !== undefined && known !== undefined && !known.has(first)) continue;
    }
    const now = stamps(g.dir);
    if (now === 'missing') continue; // no directory, no entries
    if (now === g.stamp && !UNTRUSTED.has(now)) continue;
    if (!noneIn(g.dir, g.names, listing, listings.has(g.dir))) return false;
  }
  return true;
}

function isBelow(dir: string, ancestor: string): boolean {
  return dir.startsWith(ancestor === '/' ? '/' : `${ancestor}/`) && dir !== ancestor;
}

/** One stat per directory per check: many groups share an ancestor. */
function memoStamps(): (dir: string) => string {
  const seen = new Map<string, string>();
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  return (dir) => {
    let s = seen.get(dir);
    if (s === undefined) seen.set(dir, (s = dirStamp(dir, nowNs)));
    return s;
  };
}
