import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CacheCounter, DaemonCounter, ExecutorCounter, PassThroughReason, RemoteCounter, ToolCounter } from './stat-names.js';
import { countFallback } from './count-fallback.js';
import { countShimHit } from './count-shim-hit.js';
import { emptyExecutorCounters, emptyRemoteCounters, emptyStats, emptyToolCounters } from './empty-stats.js';
import { parseStats } from './parse-stats.js';
import type { StatsSnapshot } from './types.js';

export interface StatsStore {
  bumpTool(tool: string, counter: ToolCounter, n?: number): void;
  passThrough(tool: string, reason: PassThroughReason): void;
  fallback(tool: string, reason: string): void;
  /** A hit a shim replayed from a ticket (countShimHit). */
  shimHit(tool: string, durationMs: number): void;
  bumpDaemon(counter: DaemonCounter): void;
  uncacheable(tool: string, reason: string): void;
  bumpCache(counter: CacheCounter, n?: number): void;
  /** A remote tier's event (by the remote's URL without credentials). */
  bumpRemote(remote: string, counter: RemoteCounter, n?: number): void;
  /** A remote executor's event (by its URL). */
  bumpExecutor(executor: string, counter: ExecutorCounter, n?: number): void;
  /** A miss meant for this executor filled locally, and why. */
  executorFallback(executor: string, reason: string): void;
  snapshot(): StatsSnapshot;
  zero(): void;
  /** Writes the counters now (tmp file + rename). Errors are returned, not thrown. */
  flush(): Error | undefined;
}

/** Counters kept in memory and persisted to a JSON file, written at most every `flushDelayMs`. */
export function createStatsStore(path: string, flushDelayMs = 1000): StatsStore {
  let stats = load(path);
  let timer: NodeJS.Timeout | undefined;

  const schedule = (): void => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush();
    }, flushDelayMs);
    timer.unref();
  };

  const tool = (name: string): Record<ToolCounter, number> => (stats.tools[name] ??= emptyToolCounters());

  const flush = (): Error | undefined => {
    try {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(stats, null, 1));
      renameSync(tmp, path);
      return undefined;
    } catch (e) {
      return e as Error;
    }
  };

  return {
    bumpTool(name, counter, n = 1) {
      tool(name)[counter] += n;
      schedule();
    },
    passThrough(name, reason) {
      tool(name)['passed-through'] += 1;
      stats.passThroughReasons[reason] = (stats.passThroughReasons[reason] ?? 0) + 1;
      schedule();
    },
    fallback(name, reason) {
      countFallback(stats, name, reason);
      schedule();
    },
    shimHit(name, durationMs) {
      countShimHit(stats, name, durationMs);
      schedule();
    },
    bumpDaemon(counter) {
      stats.daemon[counter] += 1;
      schedule();
    },
    uncacheable(name, reason) {
      tool(name).uncacheable += 1;
      stats.uncacheableReasons[reason] = (stats.uncacheableReasons[reason] ?? 0) + 1;
      schedule();
    },
    bumpCache(counter, n = 1) {
      stats.cache[counter] += n;
      schedule();
    },
    bumpRemote(remote, counter, n = 1) {
      (stats.remotes[remote] ??= emptyRemoteCounters())[counter] += n;
      schedule();
    },
    bumpExecutor(executor, counter, n = 1) {
      (stats.executors[executor] ??= emptyExecutorCounters())[counter] += n;
      schedule();
    },
    executorFallback(executor, reason) {
      (stats.executors[executor] ??= emptyExecutorCounters())['fallen-back'] += 1;
      const reasons = (stats.executorFallbackReasons[executor] ??= {});
      reasons[reason] = (reasons[reason] ?? 0) + 1;
      schedule();
    },
    snapshot: () => structuredClone(stats),
    zero() {
      stats = emptyStats();
      schedule();
    },
    flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      return flush();
    },
  };
}

function load(path: string): StatsSnapshot {
  try {
    return parseStats(readFileSync(path, 'utf8')) ?? emptyStats();
  } catch {
    return emptyStats();
  }
}
