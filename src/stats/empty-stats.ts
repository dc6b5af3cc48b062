import { CACHE_COUNTERS, DAEMON_COUNTERS, EXECUTOR_COUNTERS, REMOTE_COUNTERS, TOOL_COUNTERS, type ExecutorCounter, type RemoteCounter, type ToolCounter } from './stat-names.js';
import type { StatsSnapshot } from './types.js';

export function emptyStats(now = new Date()): StatsSnapshot {
  return {
    schema: 1,
    since: now.toISOString(),
    tools: {},
    passThroughReasons: {},
    fallbackReasons: {},
    daemon: Object.fromEntries(DAEMON_COUNTERS.map((k) => [k, 0])) as StatsSnapshot['daemon'],
    uncacheableReasons: {},
    cache: Object.fromEntries(CACHE_COUNTERS.map((k) => [k, 0])) as StatsSnapshot['cache'],
    remotes: {},
    executors: {},
    executorFallbackReasons: {},
  };
}

export function emptyToolCounters(): Record<ToolCounter, number> {
  return Object.fromEntries(TOOL_COUNTERS.map((k) => [k, 0])) as Record<ToolCounter, number>;
}

export function emptyRemoteCounters(): Record<RemoteCounter, number> {
  return Object.fromEntries(REMOTE_COUNTERS.map((k) => [k, 0])) as Record<RemoteCounter, number>;
}

export function emptyExecutorCounters(): Record<ExecutorCounter, number> {
  return Object.fromEntries(EXECUTOR_COUNTERS.map((k) => [k, 0])) as Record<ExecutorCounter, number>;
}
