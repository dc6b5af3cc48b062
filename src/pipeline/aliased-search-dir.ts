import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ContentScan } from '../adapters/gcc/scan-content.js';
import type { SearchGroup } from './learn-inputs.js';

/**
 * Two search directories spelled apart (after `.` and `..` are resolved lexically) that are
 * one directory now: a symlink to another search directory, or a path through one. gcc and
 * clang drop the later one (by device and inode), so `#include_next` from the first does not
 * search it again, and one given as -I and as -isystem keeps only the system kind (its
 * headers' warnings hidden). A link replaced by a real directory (or a directory by a link)
 * changes none of the files a key holds, yet changes what the compiler reads: a stale hit
 * before. So such a compile is not stored when it matters: some input or argument spells
 * `include_next`, or the two are of different kinds. Two of the toolchain's own directories
 * are left alone (the toolchain's identity covers them). Returns the pair, or undefined.
 */
export function aliasedSearchDir(cwd: string, groups: readonly SearchGroup[], scanned: ReadonlyArray<{ scan: ContentScan }>, args: readonly string[]): [string, string] | undefined {
  const next = scanned.some((s) => s.scan.includeNext) || args.some((a) => a.includes('include_next'));
  const seen = new Map<string, SearchDir>();
  for (const dir of existingSearchDirs(cwd, groups)) {
    const first = seen.get(dir.id);
    if (first === undefined) {
      seen.set(dir.id, dir);
      continue;
    }
    if (first.path === dir.path || (first.toolchain && dir.toolchain)) continue;
    if (next || first.group !== dir.group) return [first.path, dir.path];
  }
  return undefined;
}

/**
 * Pairs of existing search directories of different kinds (at least one the caller's own),
 * and the first such pair that is one directory now. A directory given as -I and reached
 * again as a system one through a link is searched as a system directory: its headers'
 * warnings go. No file the key holds changes when a link like that appears or goes, and no
 * lookup asks about it, so the pairs are checked on every call: one that is aliased now is
 * not cached (`aliased-search-dir`), and a hit ticket holds that each other pair is still two
 * directories.
 */
export function searchDirKinds(cwd: string, groups: readonly SearchGroup[]): { aliased?: [string, string]; distinct: Array<[string, string]> } {
  const dirs = existingSearchDirs(cwd, groups);
  const distinct: Array<[string, string]> = [];
  for (const [i, a] of dirs.entries()) {
    for (const b of dirs.slice(i + 1)) {
      if (a.group === b.group || (a.toolchain && b.toolchain) || a.path === b.path) continue;
      if (a.id === b.id) return { aliased: [a.path, b.path], distinct };
      distinct.push([a.path, b.path]);
    }
  }
  return { distinct };
}

/** A search directory that exists: its path, its device and inode, its group, and whether it is the toolchain's own. */
interface SearchDir {
  path: string;
  id: string;
  group: number;
  toolchain: boolean;
}

/** The search directories that exist now, in search order (one stat each). */
function existingSearchDirs(cwd: string, groups: readonly SearchGroup[]): SearchDir[] {
  const dirs: SearchDir[] = [];
  for (const [g, group] of groups.entries()) {
    for (const [i, dir] of group.dirs.entries()) {
      const path = resolve(cwd, dir);
      const st = statSync(path, { throwIfNoEntry: false, bigint: true });
      if (st?.isDirectory()) dirs.push({ path, id: `${st.dev}:${st.ino}`, group: g, toolchain: i >= group.dirs.length - group.toolchain });
    }
  }
  return dirs;
}
