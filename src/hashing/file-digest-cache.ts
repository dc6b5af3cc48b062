import { readFile } from 'node:fs/promises';
import { statSync, type BigIntStats } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { digestBytes } from './create-hasher.js';
import { hashFile } from './hash-file.js';
import { isUnsettled } from './settle-window.js';
import type { Digest, DigestAlgorithm } from './types.js';

/** A file's identity as stat sees it; a change of any field means the content may differ. */
export type FileStamp = string;

export interface FileDigest<S = undefined> {
  digest: Digest;
  stamp: FileStamp;
  /** What the scanner found in the content, memoised with the digest. */
  scan: S;
}

export interface FileDigestCache<S = undefined> {
  /** The digest of a regular file, or undefined when it is missing or not a regular file. */
  digest(path: string): Promise<FileDigest<S> | undefined>;
  /** The memoised digest when the file's stamp still matches it; undefined otherwise (then call digest). Synchronous: no await per input on a hit. */
  peek(path: string): FileDigest<S> | undefined;
  /** The memoised digest as last validated, without a stat (a hit ticket records the stamps its hit was checked under). */
  known(path: string): FileDigest<S> | undefined;
  /** The current stamp, without hashing (undefined: missing). */
  stamp(path: string): FileStamp | undefined;
  readonly counters: { hits: number; hashed: number };
}

export interface FileDigestCacheOptions<S> {
  algorithm: DigestAlgorithm;
  /**
   * Looks at the content once per hash, e.g. for __TIME__; memoised with the digest.
   * Without one, files are hashed in chunks and never held whole (hashFile), and `scan` is undefined.
   */
  scan?: (content: Buffer) => S;
  maxEntries?: number;
  /** A file modified this recently is rehashed every time: timestamps may be too coarse to see a new write (see settle-window.ts). */
  youngMs?: number;
  now?: () => number;
}

/**
 * Memoises file digests by (dev, ino, size, mtime, ctime) in nanoseconds. There is no
 * mtime-only trust: an in-place rewrite that keeps the mtime still changes ctime.
 */
export function createFileDigestCache<S>(opts: FileDigestCacheOptions<S>): FileDigestCache<S> {
  // lru-cache preallocates its slots: 200k cost about 50 ms at daemon start. 50k files is a large build.
  const memo = new LRUCache<string, FileDigest<S>>({ max: opts.maxEntries ?? 50_000 });
  // Scans by content: a tree copied afresh (new inodes, new ctimes) must be hashed again, not scanned again.
  const scans = new LRUCache<string, { scan: S }>({ max: opts.scan ? opts.maxEntries ?? 50_000 : 1 });
  const now = opts.now ?? Date.now;
  const counters = { hits: 0, hashed: 0 };

  const statOf = (path: string): BigIntStats | undefined => {
    try {
      // No exception for a missing file: building one costs more than the stat.
      const st = statSync(path, { bigint: true, throwIfNoEntry: false });
      return st?.isFile() ? st : undefined;
    } catch {
      return undefined;
    }
  };
  const stampOf = (st: BigIntStats): FileStamp => `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;

  /** The memoised digest when the file still has the stamp it was hashed under. */
  const peek = (path: string): FileDigest<S> | undefined => {
    const known = memo.get(path);
    if (!known) return undefined;
    const st = statOf(path);
    if (!st || stampOf(st) !== known.stamp) return undefined;
    counters.hits++;
    return known;
  };

  return {
    counters,
    stamp(path) {
      const st = statOf(path);
      return st ? stampOf(st) : undefined;
    },
    peek,
    known: (path) => memo.peek(path),
    async digest(path) {
      const known = peek(path);
      if (known) return known;
      const st = statOf(path);
      if (!st) return undefined;
      const stamp = stampOf(st);
      let digest: Digest;
      let scan: S;
      try {
        if (opts.scan) {
          const content = await readFile(path);
          digest = digestBytes(opts.algorithm, content);
          let scanned = scans.get(digest.hash);
          if (!scanned) {
            scanned = { scan: opts.scan(content) };
            scans.set(digest.hash, scanned);
          }
          scan = scanned.scan;
        } else {
          digest = await hashFile(opts.algorithm, path);
          scan = undefined as S;
        }
      } catch {
        return undefined;
      }
      counters.hashed++;
      const result: FileDigest<S> = { digest, stamp, scan };
      // Did it change while we read it? Then this digest may match neither version.
      const after = statOf(path);
      if (!after || stampOf(after) !== stamp || digest.size !== Number(st.size)) return undefined;
      const young = isUnsettled(st.mtimeNs, st.ctimeNs, BigInt(now()) * 1_000_000n, opts.youngMs);
      if (!young) memo.set(path, result);
      else memo.delete(path);
      return result;
    },
  };
}
