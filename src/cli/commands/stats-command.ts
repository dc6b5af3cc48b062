import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { adminRequest } from '../../client/admin-request.js';
import { loadConfig } from '../../config/load-config.js';
import { resolveRuntimeDir } from '../../runtime/resolve-runtime-dir.js';
import { runtimePaths } from '../../runtime/runtime-paths.js';
import { emptyStats } from '../../stats/empty-stats.js';
import { peekFallbacks } from '../../stats/fallback-log.js';
import { parseStats } from '../../stats/parse-stats.js';
import { countFallback } from '../../stats/count-fallback.js';
import { countShimHit } from '../../stats/count-shim-hit.js';
import { parseHitLog } from '../../tickets/hit-log.js';
import { peekFile } from '../../runtime/take-file.js';
import type { StatsSnapshot } from '../../stats/types.js';
import { formatStats } from '../format-stats.js';
import { measureStore } from '../../store/local/measure-store.js';

/** `reprise stats [--json] [--zero]`: from the live daemon, else from the saved counters. */
export async function statsCommand(json: boolean, zero: boolean): Promise<number> {
  // The daemon is asked first, by the runtime dir alone: a config file edited badly since it started does not hide its counters.
  const paths = runtimePaths(resolveRuntimeDir(process.env));
  const r = await adminRequest(paths.socket, zero ? 'stats-zero' : 'stats');
  let snapshot: StatsSnapshot;
  let live = true;
  if (r.kind === 'reply' && r.ok) snapshot = r.value as StatsSnapshot;
  else {
    live = false;
    const config = loadConfig();
    const statsFile = join(config.cacheDir, 'stats.json');
    snapshot = offlineStats(statsFile, paths.fallbacks, paths.hits);
    if (zero) {
      mkdirSync(config.cacheDir, { recursive: true });
      writeFileSync(statsFile, JSON.stringify(emptyStats()));
      rmSync(paths.fallbacks, { force: true });
      rmSync(paths.hits, { force: true });
      snapshot = emptyStats();
    }
    const dir = join(config.cacheDir, config.digest);
    snapshot.store = { dir, bytes: (await measureStore(dir)).bytes, maxBytes: config.maxSizeBytes, scanning: false };
  }
  if (zero && !json) process.stdout.write('reprise stats: zeroed\n');
  else process.stdout.write(json ? `${JSON.stringify(snapshot, null, 2)}\n` : formatStats(snapshot, live));
  return 0;
}

function offlineStats(statsFile: string, fallbacksFile: string, hitsFile: string): StatsSnapshot {
  let text = '';
  try {
    text = readFileSync(statsFile, 'utf8');
  } catch {
    /* none saved yet */
  }
  const stats = parseStats(text) ?? emptyStats();
  // Count pending fallbacks without consuming them: the daemon takes them when it next runs.
  for (const f of peekFallbacks(fallbacksFile)) countFallback(stats, f.tool, f.reason);
  for (const h of parseHitLog(peekFile(hitsFile))) countShimHit(stats, h.tool, h.durationMs);
  return stats;
}
