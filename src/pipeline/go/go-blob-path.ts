import { statSync, utimesSync } from 'node:fs';
import type { CacheContext } from '../cache-context.js';

/** Stamps of blobs this daemon wrote or verified, by cache: go reads DiskPath itself and checks only the size. */
const verified = new WeakMap<CacheContext, Map<string, string>>();

/** Recency is refreshed at most this often per blob (each refresh changes the stamp, hence a re-stat). */
const TOUCH_AFTER_MS = 10 * 60 * 1000;

function stampOf(path: string): { stamp: string; size: number; mtimeMs: number } | undefined {
  const st = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (!st?.isFile()) return undefined;
  return { stamp: `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`, size: Number(st.size), mtimeMs: Number(st.mtimeMs) };
}

function memo(ctx: CacheContext): Map<string, string> {
  let m = verified.get(ctx);
  if (!m) verified.set(ctx, (m = new Map()));
  return m;
}

/** After a put: the blob's file is what we just wrote and hashed. */
export function noteVerifiedBlob(ctx: CacheContext, digest: string, path: string): void {
  const s = stampOf(path);
  if (s) memo(ctx).set(digest, s.stamp);
}

/**
 * The store file go may read in place for this blob, verified: against its digest when its
 * stamp is not one this daemon wrote or verified (a corrupt blob is dropped by the store and
 * counted; the answer is then a miss). Undefined when absent, of another size, or not local.
 */
export async function goBlobPath(ctx: CacheContext, digest: string, size: number): Promise<string | undefined> {
  const path = ctx.cas.localPath?.(digest);
  if (!path) return undefined;
  let s = stampOf(path);
  if (!s || s.size !== size) return undefined;
  const m = memo(ctx);
  if (m.get(digest) !== s.stamp) {
    const data = await ctx.cas.get(digest); // reads and verifies; drops a corrupt blob
    if (!data || data.length !== size) return undefined;
    s = stampOf(path);
    if (!s) return undefined;
    m.set(digest, s.stamp);
  }
  if (Date.now() - s.mtimeMs > TOUCH_AFTER_MS) {
    // Eviction reads recency from mtimes; touch here so the memoised stamp stays ours.
    const now = new Date();
    try {
      utimesSync(path, now, now);
      const t = stampOf(path);
      if (t) m.set(digest, t.stamp);
    } catch {
      // recency is best effort
    }
  }
  return path;
}
