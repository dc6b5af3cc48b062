import { emptyToolCounters } from './empty-stats.js';
import type { StatsSnapshot } from './types.js';

/** Adds one hit a shim replayed from a ticket: a call, a direct hit, and the compile time it saved. */
export function countShimHit(stats: StatsSnapshot, tool: string, durationMs: number): void {
  const t = (stats.tools[tool] ??= emptyToolCounters());
  t.calls += 1;
  t['direct-hit'] += 1;
  t['shim-hit'] += 1;
  stats.cache['time-saved-ms'] += durationMs;
}
