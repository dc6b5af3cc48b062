import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigestHex } from '../../hashing/create-hasher.js';
import { StoreError } from '../types.js';
import { atomicWrite } from './atomic-write.js';

export interface JsonStore<T> {
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
}

/**
 * Validated JSON documents under dir/<area>/ab/cdef…, written atomically. A document that
 * fails validation is deleted and reads as absent (the caller is told, to count it).
 */
export function createLocalJsonStore<T>(dir: string, area: string, parse: (text: string) => T | undefined, onCorrupt?: (key: string) => void): JsonStore<T> {
  const tmpDir = join(dir, 'tmp');
  const pathOf = (key: string): string => {
    if (!isDigestHex(key)) throw new StoreError('corrupt', `not a key: ${JSON.stringify(key)}`);
    return join(dir, area, key.slice(0, 2), key.slice(2));
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
      const value = parse(text);
      if (value === undefined) {
        await rm(path, { force: true }).catch(() => undefined);
        onCorrupt?.(key);
      }
      return value;
    },
    async put(key, value) {
      await atomicWrite(pathOf(key), JSON.stringify(value), tmpDir);
    },
  };
}
