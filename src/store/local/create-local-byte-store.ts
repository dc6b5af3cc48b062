import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../types.js';
import { startStreamedWrite, type StreamedWrite } from './streamed-write.js';
import type { StoreArea, UsageSink } from './types.js';
import { entryPath } from './entry-path.js';

/** Opaque documents by key: what the store cannot check, it keeps as given. */
export interface ByteStore {
  get(key: string): Promise<Buffer | undefined>;
  /** A write of the document for `key`, streamed; it replaces the old one on commit. */
  startPut(key: string, maxBytes?: number): StreamedWrite;
}

/**
 * Documents whose format belongs to a client under dir/<area>/ab/cdef…: a team server's
 * action cache holds REAPI ActionResults as Bazel sent them, or ccache's own entries
 * (`layout=bazel` puts them under /ac/). Written atomically; every read and write is
 * reported to `usage` for LRU eviction.
 */
export function createLocalByteStore(dir: string, area: StoreArea, usage?: UsageSink): ByteStore {
  const tmpDir = join(dir, 'tmp');
  const pathOf = (key: string): string => entryPath(dir, area, key);
  return {
    async get(key) {
      const path = pathOf(key);
      try {
        const data = await readFile(path);
        usage?.touch(area, key);
        return data;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new StoreError('io', `cannot read ${path}: ${(e as Error).message}`);
      }
    },
    startPut(key, maxBytes) {
      return startStreamedWrite({
        path: pathOf(key),
        tmpDir,
        ...(maxBytes === undefined ? {} : { maxBytes }),
        ...(usage ? { onStored: (n: number) => usage.grew(n) } : {}),
      });
    },
  };
}
