import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { STORE_AREAS } from './types.js';

/**
 * Makes the 256 fan-out directories of each store area of a new store, in the background.
 * A store's first writes would otherwise each make one on the event loop (a remote-only build
 * into an empty store writes three or four files a hit, into fresh directories nearly every
 * time). A store whose last directory exists is left alone; any failure is left for the
 * writes, which make a missing directory themselves.
 */
export function prepareFanOut(dir: string): void {
  const todo = STORE_AREAS.filter((area) => !existsSync(join(dir, area, 'ff')));
  if (todo.length === 0) return;
  void (async () => {
    for (const area of todo) {
      const subs = Array.from({ length: 256 }, (_, i) => join(dir, area, i.toString(16).padStart(2, '0')));
      // A few at a time: the thread pool stays free for the calls' own file reads.
      for (let i = 0; i < subs.length; i += 16) await Promise.all(subs.slice(i, i + 16).map((d) => mkdir(d, { recursive: true }).catch(() => undefined)));
    }
  })();
}
