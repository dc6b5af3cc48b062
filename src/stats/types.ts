import type { CacheCounter, DaemonCounter, ExecutorCounter, RemoteCounter, ToolCounter } from './stat-names.js';
import type { StoreSize } from '../store/local/types.js';

/** The `reprise stats --json` document (docs/stats.md). Fields are only ever added. */
export interface StatsSnapshot {
  schema: 1;
  /** When the counters were last zeroed (ISO 8601). */
  since: string;
  tools: Record<string, Record<ToolCounter, number>>;
  passThroughReasons: Record<string, number>;
  fallbackReasons: Record<string, number>;
  daemon: Record<DaemonCounter, number>;
  /** Why calls were not cached (closed lists per adapter, e.g. src/adapters/gcc/types.ts). */
  uncacheableReasons: Record<string, number>;
  cache: Record<CacheCounter, number>;
  /** Per remote tier, by its URL without credentials (empty without remotes). */
  remotes: Record<string, Record<RemoteCounter, number>>;
  /** Per remote executor, by its URL (empty without executors). */
  executors: Record<string, Record<ExecutorCounter, number>>;
  /** Per remote executor: its fallen-back misses by reason. */
  executorFallbackReasons: Record<string, Record<string, number>>;
  /** The local store's size and limit: added by `reprise stats`, not saved with the counters. */
  store?: StoreSize;
}
