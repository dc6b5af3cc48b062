import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { blake3 } from '@napi-rs/blake-hash';
import { LRUCache } from 'lru-cache';

/** A ticket file the shim may check by content: its SHA-256 as the hit was checked with. */
export interface ShaChecked {
  path: string;
  stamp: string;
  /** The SHA-256 (hex) the daemon validated the file under; undefined: stamp only. */
  sha256?: string;
}

/** BLAKE3 digests already worked out, by path, stamp and SHA-256: headers recur in ticket after ticket. */
const known = new LRUCache<string, string>({ max: 8192 });

/**
 * A SHA-256 store (one with a remote tier) still gives the shim BLAKE3 digests, the only
 * ones it checks content with, so a fresh copy of a tree is served by tickets there too.
 * The file is read again off the reply path, and its digest is taken only when its bytes
 * still have the SHA-256 the hit was checked with: otherwise the file is checked by stamp.
 */
export async function blake3ForTicket(files: readonly ShaChecked[]): Promise<Array<{ path: string; stamp: string; digest?: string }>> {
  return Promise.all(files.map(async ({ path, stamp, sha256 }) => {
    if (sha256 === undefined) return { path, stamp };
    const memo = `${path}\0${stamp}\0${sha256}`;
    let digest = known.get(memo);
    if (digest === undefined) {
      const data = await readFile(path).catch(() => undefined);
      if (!data || createHash('sha256').update(data).digest('hex') !== sha256) return { path, stamp };
      digest = blake3(data).toString('hex');
      known.set(memo, digest);
    }
    return { path, stamp, digest };
  }));
}
