import { readFileSync, statSync, utimesSync } from 'node:fs';
import { digestBytes } from '../../hashing/create-hasher.js';
import type { CacheContext } from '../cache-context.js';

/** Stamps of blobs this daemon wrote or verified, by cache: go reads DiskPath itself and checks only the size. */
const verified = new WeakMap<CacheContext, Map<string, string>>();

/** Recency is refreshed at most this often per blob (each refresh changes the stamp, hence a re-stat). */
export const TOUCH_AFTER_MS = 10 * 60 * 1000;

/** A store file as verified: the go index names it with this stamp. */
export interface GoBlobFile {
  path: string;
  size: number;
  dev: bigint;
  ino: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

function statOf(path: string): (GoBlobFile & { stamp: string }) | undefined {
  const st = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (!st?.isFile()) return undefined;
  return { path, stamp: `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`, size: Number(st.size), dev: st.dev, ino: st.ino, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

function memo(ctx: CacheContext): Map<string, string> {
  let m = verified.get(ctx);
  if (!m) verified.set(ctx, (m = new Map()));
  return m;
}

function strip(s: GoBlobFile & { stamp: string }): GoBlobFile {
  return { path: s.path, size: s.size, dev: s.dev, ino: s.ino, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs };
}

/** After a put: the blob's file is what we just wrote and hashed. */
export function noteVerifiedBlob(ctx: CacheContext, digest: string, path: string): GoBlobFile | undefined {
  const s = statOf(path);
  if (!s) return undefined;
  memo(ctx).set(digest, s.stamp);
  return strip(s);
}

/**
 * The store file go may read in place for this blob, verified: against its digest when its
 * stamp is not one this daemon wrote or verified (a corrupt blob is dropped by the store and
 * counted; the answer is then a miss). Undefined when absent, of another size, or not local.
 * The file is hashed here rather than through the store's get, whose recency touch would
 * change the stamp a second later and so undo the verification (and the go index line).
 */
export async function goBlobPath(ctx: CacheContext, digest: string, size: number): Promise<GoBlobFile | undefined> {
  const path = ctx.cas.localPath?.(digest);
  if (!path) return undefined;
  let s = statOf(path);
  if (!s || s.size !== size) return undefined;
  const m = memo(ctx);
  if (m.get(digest) !== s.stamp) {
    let data: Buffer | undefined;
    try {
      data = readFileSync(path);
    } catch {
      return undefined;
    }
    if (data.length !== size || digestBytes(ctx.algorithm, data).hash !== digest) {
      await ctx.cas.get(digest); // the store reads it again, drops it and counts it corrupt
      return undefined;
    }
    const after = statOf(path);
    if (!after || after.stamp !== s.stamp) return undefined; // changed while it was read: not this time
    m.set(digest, s.stamp);
  }
  if (Date.now() - Number(s.mtimeNs / 1_000_000n) > TOUCH_AFTER_MS) {
    // Eviction reads recency from mtimes; touch here so the memoised stamp stays ours.
    const now = new Date();
    try {
      utimesSync(path, now, now);
      const t = statOf(path);
      if (t) {
        m.set(digest, t.stamp);
        s = t;
      }
    } catch {
      // recency is best effort
    }
  }
  return strip(s);
}
