import { rmSync } from 'node:fs';
import { adminRequest } from '../../client/admin-request.js';
import { loadConfig } from '../../config/load-config.js';
import { runtimePaths } from '../../runtime/runtime-paths.js';
import { clearCacheDir } from '../../store/local/clear-cache-dir.js';
import type { RemovalCount } from '../../store/local/types.js';
import { formatBytes } from '../format-bytes.js';
import { withStoreProgress } from '../with-store-progress.js';
import { MAINTENANCE_TIMEOUT_MS } from './gc-command.js';

/**
 * `reprise cache clear [--json]`: remove every entry of every digest function. Through the
 * daemon when one runs, so that it also forgets what it kept in memory; else on the directory.
 */
export async function cacheCommand(action: 'clear', json: boolean): Promise<number> {
  const config = loadConfig();
  const socket = runtimePaths(config.runtimeDir).socket;
  const r = await withStoreProgress('reprise cache clear: removing', socket, () => adminRequest(socket, 'cache-clear', {}, MAINTENANCE_TIMEOUT_MS));
  let removed: RemovalCount;
  if (r.kind === 'reply') {
    if (!r.ok) {
      process.stderr.write(`reprise cache ${action}: the daemon failed: ${(r.value as { error?: string }).error ?? 'unknown error'}\n`);
      return 1;
    }
    removed = r.value as RemovalCount;
  } else if (r.reason === 'timed out') {
    process.stderr.write(`reprise cache ${action}: the daemon did not answer in time\n`);
    return 1;
  } else {
    removed = await withStoreProgress('reprise cache clear: removing', undefined, () => clearCacheDir(config.cacheDir));
    // A killed daemon's hit tickets point into the store: they go with it.
    rmSync(runtimePaths(config.runtimeDir).tickets, { recursive: true, force: true });
  }
  if (json) process.stdout.write(`${JSON.stringify({ daemon: r.kind === 'reply', ...removed })}\n`);
  else process.stdout.write(`reprise cache clear: removed ${removed.entries} entries (${formatBytes(removed.bytes)}) from ${config.cacheDir}\n`);
  return 0;
}
