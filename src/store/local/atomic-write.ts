import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StoreError } from '../types.js';

/** Below this, writing on the event loop (and making a missing fan-out directory) costs less than the thread-pool round trips of an async write. */
const SYNC_BELOW = 1 << 20;

/**
 * Writes to a temp file in `tmpDir` (same file system) and renames it into place, so a
 * reader sees the whole file or none, even if we are killed mid-write. Directories are
 * made only when missing: a recursive mkdir per write costs as much as the write.
 */
export async function atomicWrite(path: string, data: Buffer | string, tmpDir: string): Promise<void> {
  const tmp = join(tmpDir, `${process.pid}.${randomBytes(6).toString('hex')}`);
  const small = data.length < SYNC_BELOW;
  try {
    await retryAfterMkdir(() => (small ? writeFileSync(tmp, data, { mode: 0o644 }) : writeFile(tmp, data, { mode: 0o644 })), tmpDir, small);
    await retryAfterMkdir(() => (small ? renameSync(tmp, path) : rename(tmp, path)), dirname(path), small);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    throw new StoreError(err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'no-space' : 'io', `cannot write ${path}: ${err.message}`);
  }
}

/** Runs `op`; if its directory is missing, makes it (on the loop when `sync`, as the small write itself) and runs `op` again. */
async function retryAfterMkdir(op: () => void | Promise<void>, dir: string, sync: boolean): Promise<void> {
  try {
    await op();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    if (sync) mkdirSync(dir, { recursive: true });
    else await mkdir(dir, { recursive: true });
    await op();
  }
}
