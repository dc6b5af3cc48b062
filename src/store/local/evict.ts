import { unlink } from 'node:fs/promises';
import { listStoreFiles } from './list-store-files.js';
import type { RemovalCount, StoreArea, StoreMeasure } from './types.js';

export interface EvictOptions {
  /** Entries used since the measure (their mtime may not show it yet): never evicted. */
  skip?: (area: StoreArea, key: string) => boolean;
  signal?: AbortSignal;
}

/**
 * Removes the least recently used entries (oldest mtime first; a hit refreshes the mtime)
 * until the store, as measured, is down to `downTo` bytes. Manifests, action results and
 * blobs are all just entries here: a result whose blob is gone fails replay's check and is
 * a miss, and a reader that has the file open keeps its bytes.
 *
 * The measure gives the cutoff age; a second pass deletes entries no newer than it, so the
 * names of a large store are never all held in memory.
 */
export async function evict(dir: string, measure: StoreMeasure, downTo: number, opts: EvictOptions = {}): Promise<RemovalCount> {
  const removed: RemovalCount = { entries: 0, bytes: 0 };
  const need = measure.bytes - downTo;
  if (need <= 0) return removed;
  const cutoff = cutoffTime(measure, need);
  for await (const batch of listStoreFiles(dir, opts.signal)) {
    for (const f of batch) {
      // A newer mtime than the measure saw means a hit refreshed it since: keep it.
      if (f.mtimeMs > cutoff || opts.skip?.(f.area, f.key)) continue;
      try {
        await unlink(f.path);
      } catch {
        continue; // gone already
      }
      removed.entries += 1;
      removed.bytes += f.size;
      if (removed.bytes >= need) return removed;
    }
  }
  return removed;
}

/** The mtime of the youngest entry that must go so that the oldest ones add up to `need` bytes. */
function cutoffTime(m: StoreMeasure, need: number): number {
  const order = m.mtimes.map((_, i) => i).sort((a, b) => m.mtimes[a]! - m.mtimes[b]!);
  let sum = 0;
  for (const i of order) {
    sum += m.sizes[i]!;
    if (sum >= need) return m.mtimes[i]!;
  }
  return Infinity;
}
