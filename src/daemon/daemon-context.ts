import type { Config } from '../config/load-config.js';
import type { LocalExecutor } from '../exec/types.js';
import type { CacheContext } from '../pipeline/cache-context.js';
import type { StatsStore } from '../stats/stats-store.js';
import type { JobSlots } from './job-slots.js';
import type { Logger } from './logger.js';

/** What every request handler may use. */
export interface DaemonContext {
  config: Config;
  log: Logger;
  stats: StatsStore;
  jobs: JobSlots;
  executor: LocalExecutor;
  cache: CacheContext;
  version: string;
  startedAt: Date;
  isDraining(): boolean;
  /** Begin a graceful stop: no new connections, in-flight requests finish. */
  requestStop(why: string): void;
  /** Counts what the shims wrote to the runtime dir since the last call: fallbacks, and hits replayed from tickets. */
  ingestShimLogs(): void;
}
