import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigestHex } from '../../hashing/create-hasher.js';
import { parseActionResult } from '../parse-action-result.js';
import { StoreError, type ActionCache } from '../types.js';
import { atomicWrite } from './atomic-write.js';

export interface LocalActionCacheOptions {
  dir: string;
  onCorrupt?: (key: string) => void;
}

/** Action results as JSON files under dir/ac/ab/cdef…; a malformed entry is deleted and reads as a miss. */
export function createLocalActionCache(opts: LocalActionCacheOptions): ActionCache {
  const tmpDir = join(opts.dir, 'tmp');
  const pathOf = (key: string): string => {
    if (!isDigestHex(key)) throw new StoreError('corrupt', `not a key: ${JSON.stringify(key)}`);
    return join(opts.dir, 'ac', key.slice(0, 2), key.slice(2));
  };
  return {
    async get(key) {
      const path = pathOf(key);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new StoreError('io', `cannot read ${path}: ${(e as Error).message}`);
      }
      const result = parseActionResult(text);
      if (!result) {
        await rm(path, { force: true }).catch(() => undefined);
        opts.onCorrupt?.(key);
      }
      return result;
    },
    async put(key, result) {
      await atomicWrite(pathOf(key), JSON.stringify(result), tmpDir);
    },
  };
}
