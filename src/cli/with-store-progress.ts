import { adminRequest } from '../client/admin-request.js';
import type { StatsSnapshot } from '../stats/types.js';
import { formatBytes } from './format-bytes.js';
import { createProgress } from './progress.js';

/**
 * Runs a long store operation (gc, cache clear) with a progress line on a terminal: the
 * elapsed time and the store's size as the daemon reports it, asked once a second on a
 * second connection (the daemon serves it while it works).
 */
export async function withStoreProgress<T>(label: string, socket: string | undefined, work: () => Promise<T>): Promise<T> {
  const progress = createProgress(label);
  if (!process.stderr.isTTY) return work();
  let asking = false;
  const timer = setInterval(() => {
    if (asking || socket === undefined) return;
    asking = true;
    void adminRequest(socket, 'stats', {}, 900).then((r) => {
      asking = false;
      const store = r.kind === 'reply' && r.ok ? (r.value as StatsSnapshot).store : undefined;
      if (store) progress.update(`the cache holds ${formatBytes(store.bytes)}`);
    });
  }, 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    progress.done();
  }
}
