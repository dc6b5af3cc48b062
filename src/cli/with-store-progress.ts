import { formatBytes } from './format-bytes.js';
import { withDaemonProgress } from './poll-daemon-stats.js';
import { createProgress } from './progress.js';

/**
 * Runs a long store operation (gc, cache clear) with a progress line on a terminal: the
 * elapsed time and the store's size as the daemon reports it while it works.
 */
export async function withStoreProgress<T>(label: string, socket: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return work();
  return withDaemonProgress(createProgress(label), socket, (s) => s.store && `the cache holds ${formatBytes(s.store.bytes)}`, work);
}
