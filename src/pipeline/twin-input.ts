import type { CacheContext } from './cache-context.js';

/**
 * A file the compile read, or found and did not read, whose bytes equal another input's.
 * Which of two equal files the compiler reads is not decided by their bytes and paths:
 * - `#pragma once` and `#import`: gcc skips a file when one it has seen has the same size,
 *   mtime and bytes, clang when it is the same inode, so a touched copy (or a hard link made
 *   a copy) is read twice where it was read once (a stale hit before, hiding bare gcc's
 *   redefinition error);
 * - a search directory made a link to an earlier one, so that its copy of a header is one
 *   file with the earlier one's: the compiler then drops the directory, and `#include_next`
 *   no longer reads the copy (aliased-search-dir.ts has the other direction).
 * Empty files are left out: nothing in them can be skipped or make a difference. `existing`
 * are the candidates that exist and were not read (a skipped twin is one: the depfile
 * leaves it out). Returns a twin's path, or undefined.
 */
export async function twinInput(ctx: CacheContext, inputs: ReadonlyArray<{ path: string; digest: string; size: number }>, existing: readonly string[]): Promise<string | undefined> {
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
