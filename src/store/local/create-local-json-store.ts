import { rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
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
export interface JsonStoreOptions<T> {
  parse: (text: string) => T | undefined;
  onCorrupt?: (key: string) => void;
  /**
   * Keep parsed documents of recent keys in memory (this daemon is the only writer of its
   * cache directory). Only for documents whose on-disk corruption may go unseen until
   * restart because they merely point at verified data (manifests).
   */
  memo?: boolean;
}

export function createLocalJsonStore<T extends object>(dir: string, area: string, opts: JsonStoreOptions<T>): JsonStore<T> {
  const { parse, onCorrupt } = opts;
  const tmpDir = join(dir, 'tmp');
  const recent = opts.memo ? new LRUCache<string, T>({ max: 4096 }) : undefined;
  const pathOf = (key: string): string => {
    if (!isDigestHex(key)) throw new StoreError('corrupt', `not a key: ${JSON.stringify(key)}`);
    return join(dir, area, key.slice(0, 2), key.slice(2));
  };
  return {
    async get(key) {
      const known = recent?.get(key);
      if (known) return known;
      const path = pathOf(key);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new StoreError('io', `cannot read ${path}: ${(e as Error).message}`);
      }
      const value = parse(text);
      if (value === undefined) {
        await rm(path, { force: true }).catch(() => undefined);
        onCorrupt?.(key);
      } else recent?.set(key, value);
      return value;
    },
    async put(key, value) {
      recent?.delete(key);
      await atomicWrite(pathOf(key), JSON.stringify(value), tmpDir);
      recent?.set(key, value);
    },
  };
}
