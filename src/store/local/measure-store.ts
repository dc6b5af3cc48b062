import { listStoreFiles } from './list-store-files.js';
import type { StoreMeasure } from './types.js';

/** Sums the entries of one digest function's directory, keeping each one's age and size (not its name: little memory). */
export async function measureStore(dir: string, signal?: AbortSignal): Promise<StoreMeasure> {
  const m: StoreMeasure = { bytes: 0, entries: 0, mtimes: [], sizes: [] };
  for await (const batch of listStoreFiles(dir, signal)) {
    for (const f of batch) {
      m.bytes += f.size;
      m.entries += 1;
      m.mtimes.push(f.mtimeMs);
      m.sizes.push(f.size);
    }
  }
  return m;
}
