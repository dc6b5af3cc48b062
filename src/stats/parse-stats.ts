import { CACHE_COUNTERS, DAEMON_COUNTERS, EXECUTOR_COUNTERS, REMOTE_COUNTERS, TOOL_COUNTERS } from './stat-names.js';
import { emptyExecutorCounters, emptyRemoteCounters, emptyStats, emptyToolCounters } from './empty-stats.js';
import type { StatsSnapshot } from './types.js';
import { isRecord, parseJsonObject } from '../json/parse-json-object.js';

/** Validates a persisted stats document; anything malformed yields undefined (the caller starts afresh). */
export function parseStats(text: string): StatsSnapshot | undefined {
  const raw = parseJsonObject(text);
  if (!raw || raw.schema !== 1 || typeof raw.since !== 'string') return undefined;
  const out = emptyStats(new Date(raw.since));
  if (Number.isNaN(Date.parse(raw.since))) return undefined;
  if (isRecord(raw.tools)) {
    for (const [tool, counters] of Object.entries(raw.tools)) {
      if (!isRecord(counters)) return undefined;
      const c = emptyToolCounters();
      for (const k of TOOL_COUNTERS) c[k] = count(counters[k]);
      out.tools[tool] = c;
    }
  }
  out.passThroughReasons = countMap(raw.passThroughReasons);
  out.fallbackReasons = countMap(raw.fallbackReasons);
  const daemon = isRecord(raw.daemon) ? raw.daemon : {};
  for (const k of DAEMON_COUNTERS) out.daemon[k] = count(daemon[k]);
  out.uncacheableReasons = countMap(raw.uncacheableReasons);
  const cache = isRecord(raw.cache) ? raw.cache : {};
  for (const k of CACHE_COUNTERS) out.cache[k] = count(cache[k]);
  if (isRecord(raw.remotes)) {
    for (const [name, counters] of Object.entries(raw.remotes)) {
      if (!isRecord(counters)) continue;
      const c = emptyRemoteCounters();
      for (const k of REMOTE_COUNTERS) c[k] = count(counters[k]);
      out.remotes[name] = c;
    }
  }
  if (isRecord(raw.executors)) {
    for (const [name, counters] of Object.entries(raw.executors)) {
      if (!isRecord(counters)) continue;
      const c = emptyExecutorCounters();
      for (const k of EXECUTOR_COUNTERS) c[k] = count(counters[k]);
      out.executors[name] = c;
    }
  }
  if (isRecord(raw.executorFallbackReasons)) {
    for (const [name, reasons] of Object.entries(raw.executorFallbackReasons)) out.executorFallbackReasons[name] = countMap(reasons);
  }
  return out;
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

function countMap(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isRecord(v)) for (const [k, n] of Object.entries(v)) out[k] = count(n);
  return out;
}
