import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StoreError } from '../types.js';

/**
 * Writes to a temp file in `tmpDir` (same file system) and renames it into place, so a
 * reader sees the whole file or none, even if we are killed mid-write.
 */
export async function atomicWrite(path: string, data: Buffer | string, tmpDir: string): Promise<void> {
  const tmp = join(tmpDir, `${process.pid}.${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(tmpDir, { recursive: true });
    await writeFile(tmp, data, { mode: 0o644 });
    await mkdir(dirname(path), { recursive: true });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    throw new StoreError(err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'no-space' : 'io', `cannot write ${path}: ${err.message}`);
  }
}
