import type { ContentScan } from '../adapters/gcc/scan-content.js';
import type { CacheContext } from './cache-context.js';

const ONCE_ARG = /once|import|_Pragma/;

/**
 * A file the compile read, or found and did not read, whose bytes equal another input's,
 * when `#pragma once` or `#import` may be in play. gcc skips a once-only file when a file it
 * has seen has the same size, mtime and bytes; clang when it is the same inode. So two equal
 * files (copies, hard links, a symlink and its target) are read once or twice as their mtimes
 * or inodes say, and a key of paths and contents cannot tell which: a touched copy turned a
 * hit into bare gcc's redefinition error. Empty files are left out (nothing in them can make
 * them once-only). `existing` are the candidates that exist and were not read (the skipped
 * twin is one: the depfile leaves it out).
 */
export async function onceTwin(
  ctx: CacheContext,
  inputs: ReadonlyArray<{ path: string; digest: string; size: number }>,
  scanned: ReadonlyArray<{ scan: ContentScan }>,
  existing: readonly string[],
  args: readonly string[],
): Promise<string | undefined> {
  if (!scanned.some((s) => s.scan.onceLike) && !args.some((a) => ONCE_ARG.test(a))) return undefined;
  const seen = new Map<string, string>();
  for (const { path, digest, size } of inputs) {
    if (size === 0) continue;
    const other = seen.get(digest);
    if (other !== undefined && other !== path) return path;
    seen.set(digest, path);
  }
  for (const path of existing) {
    const d = await ctx.files.digest(path);
    if (d && d.digest.size > 0 && seen.has(d.digest.hash)) return path;
  }
  return undefined;
}
