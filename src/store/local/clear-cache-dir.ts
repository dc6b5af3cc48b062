import { join } from 'node:path';
import { DIGEST_ALGORITHMS, type DigestAlgorithm } from '../../hashing/types.js';
import { clearStore } from './clear-store.js';
import type { RemovalCount } from './types.js';

export interface OwnStore {
  algorithm: DigestAlgorithm;
  clear(): Promise<RemovalCount>;
}

/**
 * `reprise cache clear`: empties the directory of every digest function under the cache
 * dir. `own` clears its directory itself (the daemon, which keeps a running size of it).
 * The saved counters (stats.json) are not cache entries and stay.
 */
export async function clearCacheDir(cacheDir: string, own?: OwnStore): Promise<RemovalCount> {
  const total: RemovalCount = { entries: 0, bytes: 0 };
  for (const algorithm of DIGEST_ALGORITHMS) {
    const r = own?.algorithm === algorithm ? await own.clear() : await clearStore(join(cacheDir, algorithm));
    total.entries += r.entries;
    total.bytes += r.bytes;
  }
  return total;
}
