import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RemovalCount } from './types.js';

/** Temp files older than this belong to no live write (a write takes milliseconds, a compile minutes at most). */
export const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Removes what is older than `maxAgeMs` from dir/tmp: temp files of writes that were
 * killed, private depfiles of compiles that were, and leftovers of an interrupted clear.
 */
export async function removeStaleTemp(dir: string, maxAgeMs = STALE_TEMP_MS, now = Date.now()): Promise<RemovalCount> {
  const removed: RemovalCount = { entries: 0, bytes: 0 };
  const tmp = join(dir, 'tmp');
  let names: string[];
  try {
    names = await readdir(tmp);
  } catch {
    return removed;
  }
  for (const name of names) {
    const path = join(tmp, name);
    try {
      const st = await lstat(path);
      if (st.mtimeMs >= now - maxAgeMs) continue;
      await rm(path, { recursive: true, force: true });
      removed.entries += 1;
      if (st.isFile()) removed.bytes += st.size;
    } catch {
      /* gone already */
    }
  }
  return removed;
}
