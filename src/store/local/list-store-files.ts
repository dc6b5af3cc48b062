import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { STORE_AREAS, type StoreFile } from './types.js';

const SUBDIR = /^[0-9a-f]{2}$/;
const REST = /^[0-9a-f]{62}$/;
/** Stats in flight at once: enough to keep a disk busy, few enough to leave the thread pool to requests. */
const STAT_BATCH = 8;

/**
 * Every entry file under dir/{manifests,ac,cas}/ab/cdef…, one subdirectory per batch, so a
 * scan of a large store is many short steps between which requests are served. Files that
 * are not entries (by name) are left out; so are files that vanish during the scan.
 */
export async function* listStoreFiles(dir: string, signal?: AbortSignal): AsyncGenerator<StoreFile[]> {
  for (const area of STORE_AREAS) {
    const areaDir = join(dir, area);
    for (const sub of await names(areaDir)) {
      if (!SUBDIR.test(sub)) continue;
      signal?.throwIfAborted();
      const subDir = join(areaDir, sub);
      const files = (await names(subDir)).filter((n) => REST.test(n));
      const batch: StoreFile[] = [];
      for (let i = 0; i < files.length; i += STAT_BATCH) {
        const chunk = files.slice(i, i + STAT_BATCH);
        const stats = await Promise.all(chunk.map((n) => stat(join(subDir, n)).catch(() => undefined)));
        stats.forEach((st, j) => {
          if (!st?.isFile()) return;
          const name = chunk[j]!;
          batch.push({ area, key: sub + name, path: join(subDir, name), size: st.size, mtimeMs: st.mtimeMs });
        });
      }
      yield batch;
    }
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
