import type { CallFeed } from '../calls/create-call-feed.js';
import type { Config } from '../config/load-config.js';
import type { Dashboard } from '../dashboard/create-dashboard.js';
import type { LocalExecutor } from '../exec/types.js';
import type { CacheContext } from '../pipeline/cache-context.js';
import type { StatsStore } from '../stats/stats-store.js';
import type { DaemonConfigStatus } from './config-watch.js';
import type { JobSlots } from './job-slots.js';
import type { Logger } from './logger.js';

/** What every request handler may use. */
export interface DaemonContext {
  /** The settings in force: replaced when an edited config file changes the daemon.* ones (config-watch.ts). */
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
  /** The config file against the settings in force (status reply's `config`). */
  configStatus(): DaemonConfigStatus;
  /** The recent calls, for the dashboard and `reprise trace` (src/calls/). */
  calls: CallFeed;
  /** The dashboard's server, started when first asked for (src/dashboard/). */
  dashboard: Dashboard;
  /** Counts what the shims wrote to the runtime dir since the last call: fallbacks, and hits replayed from tickets. */
  ingestShimLogs(): void;
}
