import { evict } from './evict.js';
import { measureStore } from './measure-store.js';
import { removeStaleTemp } from './remove-stale-temp.js';
import type { GcReport } from './types.js';

/**
 * `reprise gc` with no daemon running: evicts the least recently used entries of one
 * digest function's directory down to `maxBytes` (0: no limit) and removes stale temp files.
 */
export async function collectGarbage(dir: string, maxBytes: number): Promise<GcReport> {
  const m = await measureStore(dir);
  const evicted = maxBytes > 0 && m.bytes > maxBytes ? await evict(dir, m, maxBytes) : { entries: 0, bytes: 0 };
  const staleTemp = await removeStaleTemp(dir);
  return { maxBytes, evicted, staleTemp, bytes: m.bytes - evicted.bytes };
}
