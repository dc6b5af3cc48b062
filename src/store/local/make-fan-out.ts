import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes a store area that does not exist yet with its 256 fan-out directories (ab/ for the
 * keys ab…), under a temporary name and renamed into place, so the area appears whole or
 * not at all. Writes make a missing fan-out directory themselves (atomic-write.ts); this
 * only moves a new store's 256 `mkdir`s per area out of its first build, where on a disk
 * that allocates inodes dearly they were the daemon's largest cost of a cold Go build.
 * Any failure leaves the area to be made lazily, as before.
 */
export function makeFanOut(dir: string, area: string): void {
  const target = join(dir, area);
  if (statSync(target, { throwIfNoEntry: false })) return;
  const part = join(dir, 'tmp', `${area}-fan-out-${process.pid}`);
  try {
    rmSync(part, { recursive: true, force: true });
    mkdirSync(part, { recursive: true });
    for (let i = 0; i < 256; i++) mkdirSync(join(part, i.toString(16).padStart(2, '0')));
    renameSync(part, target);
  } catch {
    rmSync(part, { recursive: true, force: true });
  }
}
