import { access, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { digestBytes } from '../../hashing/create-hasher.js';
import type { DigestAlgorithm } from '../../hashing/types.js';
import { StoreError, type ContentStore } from '../types.js';
import { atomicWrite } from './atomic-write.js';
import type { UsageSink } from './types.js';
import { entryPath } from './entry-path.js';

export interface LocalCasOptions {
  dir: string;
  algorithm: DigestAlgorithm;
  /** Told about every blob found corrupt (it has been deleted). */
  onCorrupt?: (digest: string) => void;
  /** Told of every blob read and of every byte stored (for LRU eviction). */
  usage?: UsageSink;
}

/** Up to this many digests, findMissing stats them synchronously; a longer list (a server's FindMissingBlobs) does not hold the loop. */
const SYNC_CHECK_MAX = 16;

/** Blobs as files under dir/cas/ab/cdef…; every read is verified, and a corrupt blob is deleted. */
export function createLocalCas(opts: LocalCasOptions): ContentStore {
  const tmpDir = join(opts.dir, 'tmp');
  const pathOf = (digest: string): string => entryPath(opts.dir, 'cas', digest, 'digest');
  return {
    localPath: pathOf,
    async findMissing(digests) {
      // A hit's few blobs are checked on the loop: a thread-pool hop each costs more than the stat (and a wake-up on a busy machine).
      if (digests.length <= SYNC_CHECK_MAX) return digests.filter((d) => !existsSync(pathOf(d)));
      const missing: string[] = [];
      for (const d of digests) {
        try {
          await access(pathOf(d));
        } catch {
          missing.push(d);
        }
      }
      return missing;
    },
    async get(digest) {
      const path = pathOf(digest);
      let data: Buffer;
      try {
        data = readFileSync(path); // synchronous: cheaper than a thread-pool hop for object-sized blobs
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new StoreError('io', `cannot read ${path}: ${(e as Error).message}`);
      }
      if (digestBytes(opts.algorithm, data).hash !== digest) {
        await rm(path, { force: true }).catch(() => undefined);
        opts.usage?.grew(-data.length);
        opts.onCorrupt?.(digest);
        return undefined;
      }
      opts.usage?.touch('cas', digest);
      return data;
    },
    async put(digest, data) {
      const path = pathOf(digest);
      // Storing a blob again replaces it: only the difference is new (a stat on the miss path).
      const st = statSync(path, { throwIfNoEntry: false });
      // An empty blob that is there is right by its size alone (most compiles print nothing).
      if (data.length === 0 && st?.isFile() && st.size === 0) return;
      const before = opts.usage ? st?.size ?? 0 : 0;
      await atomicWrite(path, data, tmpDir);
      opts.usage?.grew(data.length - before);
    },
    link(digest, file, size) {
      const path = pathOf(digest);
      const st = statSync(path, { throwIfNoEntry: false });
      // Linked straight to its name when there is none, else beside it and renamed over it (a stored blob is replaced, as by put).
      const at = st ? join(tmpDir, `${process.pid}.${randomBytes(6).toString('hex')}`) : path;
      const tryLink = (): boolean => {
        try {
          linkSync(file, at);
          return true;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(file)) return false;
          mkdirSync(dirname(at), { recursive: true }); // the fan-out (or tmp) directory is missing
          try {
            linkSync(file, at);
            return true;
          } catch {
            return false;
          }
        }
      };
      if (!tryLink()) return false; // EXDEV, EPERM, EMLINK, EEXIST (a racing put): the caller writes the bytes
      if (at !== path) {
        try {
          renameSync(at, path);
        } catch {
          rmSync(at, { force: true });
          return false;
        }
      }
      opts.usage?.grew(size - (st?.size ?? 0));
      return true;
    },
  };
}
