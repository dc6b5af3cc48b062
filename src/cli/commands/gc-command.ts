import { join } from 'node:path';
import { adminRequest } from '../../client/admin-request.js';
import { byteSize, loadConfig } from '../../config/load-config.js';
import type { GcArgument } from '../../daemon/handlers/handle-store-admin.js';
import { runtimePaths } from '../../runtime/runtime-paths.js';
import { collectGarbage } from '../../store/local/collect-garbage.js';
import type { GcReport } from '../../store/local/types.js';
import { formatBytes } from '../format-bytes.js';
import { withStoreProgress } from '../with-store-progress.js';

/** Maintenance of a large store takes a while; the daemon serves calls meanwhile. */
export const MAINTENANCE_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * `reprise gc [--max-size SIZE] [--json]`: evict least recently used entries down to the
 * limit (the daemon's, or --max-size) and remove temp files older than an hour. Through the
 * daemon when one runs (it keeps the store's size), else on the directory.
 */
export async function gcCommand(maxSize: string | undefined, json: boolean): Promise<number> {
  const config = loadConfig();
  const maxBytes = maxSize === undefined ? undefined : byteSize('--max-size', maxSize, 0);
  const argument: GcArgument = maxBytes === undefined ? {} : { maxBytes };
  const socket = runtimePaths(config.runtimeDir).socket;
  const r = await withStoreProgress('reprise gc: evicting', socket, () => adminRequest(socket, 'gc', argument, MAINTENANCE_TIMEOUT_MS));
  let report: GcReport;
  if (r.kind === 'reply') {
    if (!r.ok) {
      process.stderr.write(`reprise gc: the daemon failed: ${(r.value as { error?: string }).error ?? 'unknown error'}\n`);
      return 1;
    }
    report = r.value as GcReport;
  } else if (r.reason === 'timed out') {
    process.stderr.write('reprise gc: the daemon did not answer in time\n');
    return 1;
  } else report = await withStoreProgress('reprise gc: evicting', undefined, () => collectGarbage(join(config.cacheDir, config.digest), maxBytes ?? config.maxSizeBytes));
  if (json) {
    process.stdout.write(`${JSON.stringify({ daemon: r.kind === 'reply', ...report })}\n`);
    return 0;
  }
  const limit = report.maxBytes === 0 ? 'no limit' : `limit ${formatBytes(report.maxBytes)}`;
  process.stdout.write([
    `reprise gc: evicted ${report.evicted.entries} entries (${formatBytes(report.evicted.bytes)})`,
    `removed ${report.staleTemp.entries} stale temp files (${formatBytes(report.staleTemp.bytes)})`,
    `the cache holds ${formatBytes(report.bytes)} (${limit})`,
  ].join('; ') + '\n');
  return 0;
}
