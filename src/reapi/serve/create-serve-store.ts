import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { digestBytes } from '../../hashing/create-hasher.js';
import type { Digest } from '../../hashing/types.js';
import { createLocalByteStore } from '../../store/local/create-local-byte-store.js';
import { createLocalCas } from '../../store/local/create-local-cas.js';
import { createStoreUsage } from '../../store/local/create-store-usage.js';
import { startStreamedWrite } from '../../store/local/streamed-write.js';
import type { StoreArea } from '../../store/local/types.js';
import { StoreError } from '../../store/types.js';
import type { ServeStore } from './types.js';
import { entryPath } from '../../store/local/entry-path.js';

/** How long a blob found present is taken as present without a stat, and how often its use refreshes its recency. */
const PRESENT_FOR_MS = 60_000;
const PRESENT_MAX = 200_000;

/** SHA-256 of no bytes: every REAPI server holds the empty blob without being sent it. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface ServeStoreOptions {
  /** The server's --dir; entries live in dir/sha256 (the local cache's layout). */
  dir: string;
  maxBytes: number;
  onError?: (e: Error) => void;
  onEvicted?: (entries: number, bytes: number) => void;
  /** Wait before the start-up scan (tests: 0). */
  startDelayMs?: number;
}

/**
 * The team server's store, made of the local store's pieces: the verified CAS
 * (create-local-cas.ts) for reads, streamed writes (streamed-write.ts) checked against their
 * digest before the rename, the opaque byte store for the action cache, and the local store's
 * LRU upkeep (create-store-usage.ts: touches refresh mtimes, eviction to 90% of the limit).
 */
export function createServeStore(o: ServeStoreOptions): ServeStore {
  const dir = join(o.dir, 'sha256');
  const tmpDir = join(dir, 'tmp');
  const usage = createStoreUsage({
    dir,
    maxBytes: o.maxBytes,
    startDelayMs: o.startDelayMs ?? 500,
    ...(o.onError ? { onError: o.onError } : {}),
    onEvicted: (r: { entries: number; bytes: number }) => {
      present.clear();
      o.onEvicted?.(r.entries, r.bytes);
    },
  });
  // Blobs known to be there, with when that was last checked: every action of a toolchain
  // names the same ~200 blobs, and a FindMissingBlobs or an Execute need not stat each of them
  // each time. Forgotten on any eviction, on a read that misses, and when staging finds one gone.
  const present = new Map<string, number>();
  const knownPresent = (hash: string): boolean => {
    const at = present.get(hash);
    return at !== undefined && performance.now() - at < PRESENT_FOR_MS;
  };
  const sawPresent = (hash: string): void => {
    if (present.size >= PRESENT_MAX) present.clear();
    present.set(hash, performance.now());
  };
  usage.start();
  const cas = createLocalCas({ dir, algorithm: 'sha256', usage });
  const ac = createLocalByteStore(dir, 'ac', usage);
  const pathOf = (area: StoreArea, key: string): string => entryPath(dir, area, key, 'SHA-256 digest');
  const sizeOf = async (area: StoreArea, key: string): Promise<number | undefined> => {
    try {
      const st = await stat(pathOf(area, key));
      usage.touch(area, key);
      return st.size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StoreError('io', `cannot stat ${area}/${key}: ${(e as Error).message}`);
    }
  };
  const tooLarge = (size: number | undefined): boolean => o.maxBytes > 0 && size !== undefined && size > o.maxBytes;
  const limit = o.maxBytes > 0 ? { maxBytes: o.maxBytes } : {};

  return {
    async findMissing(digests, opts = {}) {
      const missing: Digest[] = [];
      for (const d of digests) {
        if (d.hash === EMPTY_SHA256 && d.size === 0) continue;
        if (!opts.fresh && knownPresent(d.hash)) continue;
        if ((await sizeOf('cas', d.hash)) === undefined) missing.push(d);
        else sawPresent(d.hash);
      }
      return missing;
    },
    blobSize: (hash) => (hash === EMPTY_SHA256 ? Promise.resolve(0) : sizeOf('cas', hash)),
    readBlob(hash) {
      pathOf('cas', hash);
      if (hash === EMPTY_SHA256) return Promise.resolve(Buffer.alloc(0));
      return cas.get(hash).then((data) => {
        if (!data) present.delete(hash);
        return data;
      });
    },
    forget: (hash) => void present.delete(hash),
    blobPath: (hash) => pathOf('cas', hash),
    async putBlob(digest, data) {
      pathOf('cas', digest.hash);
      const actual = digestBytes('sha256', data);
      if (actual.hash !== digest.hash || actual.size !== digest.size) {
        throw new StoreError('corrupt', `the bytes sent (${actual.size} bytes, sha256 ${actual.hash}) are not ${digest.hash}/${digest.size}`);
      }
      if (tooLarge(data.length)) throw new StoreError('too-large', `a blob of ${data.length} bytes is larger than the store's limit (${o.maxBytes})`);
      await cas.put(digest.hash, data);
      sawPresent(digest.hash);
    },
    startBlobPut(expect) {
      if (tooLarge(expect.size)) throw new StoreError('too-large', `a blob of ${expect.size} bytes is larger than the store's limit (${o.maxBytes})`);
      return startStreamedWrite({
        path: pathOf('cas', expect.hash),
        tmpDir,
        expect,
        ...limit,
        onStored: (n) => {
          usage.grew(n);
          sawPresent(expect.hash);
        },
      });
    },
    actionSize: (key) => sizeOf('ac', key),
    getAction: (key) => ac.get(key),
    startActionPut: (key) => ac.startPut(key, limit.maxBytes),
    size: () => usage.size(),
    close: () => usage.close(),
  };
}

