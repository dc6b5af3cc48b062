import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { measureStore } from './measure-store.js';
import { STORE_AREAS, type RemovalCount } from './types.js';

/**
 * Removes every entry of one digest function's directory. Each area is first renamed into
 * tmp/, so the store is empty at once and a write racing with the clear lands in a fresh
 * area, never in a half-deleted one. tmp/ itself stays: compiles in flight use it.
 */
export async function clearStore(dir: string): Promise<RemovalCount> {
  if (!existsSync(dir)) return { entries: 0, bytes: 0 };
  const trash = join(dir, 'tmp', `clear-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(trash, { recursive: true, mode: 0o700 });
  try {
    for (const area of STORE_AREAS) {
      try {
        await rename(join(dir, area), join(trash, area));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    const m = await measureStore(trash);
    return { entries: m.entries, bytes: m.bytes };
  } finally {
    await rm(trash, { recursive: true, force: true });
  }
}
