import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StoreError } from '../types.js';

export interface StreamedWriteOptions {
  /** Where the file goes once complete. */
  path: string;
  /** A directory on the same file system for the temp file. */
  tmpDir: string;
  /** When given, the bytes must have this SHA-256 hash (and size, when given), or nothing is stored. */
  expect?: { hash: string; size?: number };
  /** Refuse more than this many bytes (StoreError 'too-large'). */
  maxBytes?: number;
  /** Told, after the rename, how many bytes the store grew by (for LRU eviction). */
  onStored?: (grewBy: number) => void;
}

export interface StreamedWrite {
  /** Appends a chunk (in order; wait for each before the next). */
  write(chunk: Buffer): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
  /**
   * Closes the temp file, checks the digest, and renames it into place. Throws StoreError
   * 'corrupt' when the bytes are not what `expect` names (the temp file is removed).
   * Resolves to the bytes the store grew by (the size, less that of a file it replaced).
   */
  commit(): Promise<number>;
  /** Removes the temp file; nothing is stored. Safe to call more than once, or after commit. */
  abort(): Promise<void>;
}

/**
 * A file written as it arrives (an upload of any size, never held in memory whole), hashed
 * on the way, and renamed into place only when complete and, for a blob, matching its digest:
 * a reader sees the whole file or none (atomic-write.ts's rule, for streams).
 */
export function startStreamedWrite(o: StreamedWriteOptions): StreamedWrite {
  const tmp = join(o.tmpDir, `${process.pid}.${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  let handle: Promise<FileHandle> | undefined;
  let done = false;
  const opened = (): Promise<FileHandle> => (handle ??= openTemp(tmp, o.tmpDir));
  const fail = (e: unknown, what: string): StoreError => {
    if (e instanceof StoreError) return e;
    const err = e as NodeJS.ErrnoException;
    return new StoreError(err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'no-space' : 'io', `cannot ${what} ${o.path}: ${err.message}`);
  };
  const cleanup = async (): Promise<void> => {
    done = true;
    if (!handle) return;
    await (await handle.catch(() => undefined))?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
  };
  return {
    get size() {
      return size;
    },
    async write(chunk) {
      if (done) throw new StoreError('io', `write after the end of ${o.path}`);
      size += chunk.length;
      if (o.maxBytes !== undefined && size > o.maxBytes) {
        await cleanup();
        throw new StoreError('too-large', `more than ${o.maxBytes} bytes, the store's limit`);
      }
      hash.update(chunk);
      try {
        const h = await opened();
        await h.write(chunk, 0, chunk.length);
      } catch (e) {
        await cleanup();
        throw fail(e, 'write');
      }
    },
    async commit() {
      if (done) throw new StoreError('io', `${o.path} was already committed or aborted`);
      const hex = hash.digest('hex');
      if (o.expect && (hex !== o.expect.hash || (o.expect.size !== undefined && size !== o.expect.size))) {
        await cleanup();
        throw new StoreError('corrupt', `the bytes sent (${size} bytes, sha256 ${hex}) are not ${o.expect.hash}${o.expect.size === undefined ? '' : `/${o.expect.size}`}`);
      }
      try {
        const h = await opened(); // an empty upload writes no chunk
        await h.close();
        done = true;
        const before = statSync(o.path, { throwIfNoEntry: false })?.size ?? 0;
        await rename(tmp, o.path).catch(async (e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
          await mkdir(dirname(o.path), { recursive: true });
          await rename(tmp, o.path);
        });
        o.onStored?.(size - before);
        return size - before;
      } catch (e) {
        await cleanup();
        throw fail(e, 'store');
      }
    },
    abort: cleanup,
  };
}

async function openTemp(tmp: string, tmpDir: string): Promise<FileHandle> {
  try {
    return await open(tmp, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await mkdir(tmpDir, { recursive: true });
    return open(tmp, 'wx', 0o644);
  }
}
