import { adminRequest } from '../client/admin-request.js';
import type { StatsSnapshot } from '../stats/types.js';
import type { Progress } from './progress.js';

/**
 * Asks the daemon for its stats once a second on a connection of its own (it answers while it
 * works) and hands each snapshot to `seen`; a slow or missing answer is skipped, never queued.
 * Returns the function that stops it.
 */
export function pollDaemonStats(socket: string, seen: (stats: StatsSnapshot) => void, everyMs = 1000): () => void {
  let asking = false;
  const timer = setInterval(() => {
    if (asking) return;
    asking = true;
    void adminRequest(socket, 'stats', {}, Math.max(100, everyMs - 100)).then((r) => {
      asking = false;
      if (r.kind === 'reply' && r.ok) seen(r.value as StatsSnapshot);
    });
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * Runs `work` with `progress` shown and its detail taken from the daemon's stats as they come
 * (`describe` returns undefined to keep the last one); the progress is ended however work ends.
 */
export async function withDaemonProgress<T>(progress: Progress, socket: string | undefined, describe: (stats: StatsSnapshot) => string | undefined, work: () => Promise<T>): Promise<T> {
  const stop = socket === undefined ? () => undefined : pollDaemonStats(socket, (s) => {
    const detail = describe(s);
    if (detail !== undefined) progress.update(detail);
  });
  try {
    return await work();
  } finally {
    stop();
    progress.done();
  }
}
