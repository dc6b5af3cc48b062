import type { StatsStore } from '../stats/stats-store.js';
import type { CallFeed } from './create-call-feed.js';

/**
 * The stats store, telling the call being served what it counted: every outcome is
 * already a counter (docs/stats.md), so the feed needs no second recording path in the
 * pipeline.
 */
export function observeStats(stats: StatsStore, feed: CallFeed): StatsStore {
  return {
    ...stats,
    bumpTool(tool, counter, n) {
      stats.bumpTool(tool, counter, n);
      const open = feed.current();
      if (!open) return;
      if (counter === 'direct-hit') open.outcome = 'hit';
      else if (counter === 'miss') open.outcome = 'miss';
      else if (counter === 'tool-failed') open.failed = true;
    },
    passThrough(tool, reason) {
      stats.passThrough(tool, reason);
      const open = feed.current();
      if (open) Object.assign(open, { outcome: 'passed-through', reason });
    },
    uncacheable(tool, reason) {
      stats.uncacheable(tool, reason);
      const open = feed.current();
      if (open) Object.assign(open, { outcome: 'uncacheable', reason });
    },
    bumpExecutor(executor, counter, n) {
      stats.bumpExecutor(executor, counter, n);
      const open = feed.current();
      if (open && counter === 'completed') open.executor = executor;
    },
    bumpCache(counter, n) {
      stats.bumpCache(counter, n);
      const open = feed.current();
      if (open && counter === 'time-saved-ms') open.savedMs = (open.savedMs ?? 0) + (n ?? 1);
    },
  };
}
