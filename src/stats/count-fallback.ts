import { FALLBACK_REASONS, type FallbackReason } from './stat-names.js';
import { emptyToolCounters } from './empty-stats.js';
import type { StatsSnapshot } from './types.js';

/** Adds one shim fallback to a snapshot; a reason outside the closed list counts as `unknown`. */
export function countFallback(stats: StatsSnapshot, tool: string, reason: string): void {
  const known: FallbackReason = (FALLBACK_REASONS as readonly string[]).includes(reason) ? (reason as FallbackReason) : 'unknown';
  (stats.tools[tool] ??= emptyToolCounters()).fallbacks += 1;
  stats.fallbackReasons[known] = (stats.fallbackReasons[known] ?? 0) + 1;
}
