import { rm } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { join } from 'node:path';
import { StoreError } from '../types.js';
import { atomicWrite } from './atomic-write.js';
import type { StoreArea, UsageSink } from './types.js';
import { entryPath } from './entry-path.js';

export interface JsonStore<T> {
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
  /** Forgets the documents kept in memory (after `reprise cache clear`). */
  dropMemo(): void;
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
  /** Told of every document read and of every byte stored (for LRU eviction). */
  usage?: UsageSink;
}

export function createLocalJsonStore<T extends object>(dir: string, area: StoreArea, opts: JsonStoreOptions<T>): JsonStore<T> {
  const { parse, onCorrupt, usage } = opts;
  const tmpDir = join(dir, 'tmp');
  const recent = opts.memo ? new LRUCache<string, T>({ max: 4096 }) : undefined;
  const pathOf = (key: string): string => entryPath(dir, area, key);
  return {
    async get(key) {
      const known = recent?.get(key);
      if (known) {
        usage?.touch(area, key);
        return known;
      }
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
        usage?.grew(-Buffer.byteLength(text));
        onCorrupt?.(key);
      } else {
        recent?.set(key, value);
        usage?.touch(area, key);
      }
      return value;
    },
    async put(key, value) {
      recent?.delete(key);
      const path = pathOf(key);
      const text = JSON.stringify(value);
      // A rewrite (a manifest gaining an entry) replaces the file: only the difference is new.
      const before = usage ? statSync(path, { throwIfNoEntry: false })?.size ?? 0 : 0;
      await atomicWrite(path, text, tmpDir);
      usage?.grew(Buffer.byteLength(text) - before);
      recent?.set(key, value);
    },
    dropMemo() {
      recent?.clear();
    },
  };
}
