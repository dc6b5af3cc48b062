import type { CallEvent, CallOutcome } from '../calls/types.js';
import type { Timeline } from './types.js';

export interface TimelineSummary {
  wallMs: number;
  byOutcome: Partial<Record<CallOutcome, number>>;
  /** Sum of the durations of calls the daemon served (compile time the build spent in them). */
  busyMs: number;
  savedMs: number;
  criticalMs: number;
  criticalCalls: number;
  slowestMisses: CallEvent[];
  /** Uncacheable and pass-through reasons, most common first. */
  reasons: Array<{ outcome: CallOutcome; reason: string; count: number }>;
}

export function summarizeTimeline(t: Timeline, top = 15): TimelineSummary {
  const byOutcome: TimelineSummary['byOutcome'] = {};
  const reasons = new Map<string, { outcome: CallOutcome; reason: string; count: number }>();
  let busyMs = 0, savedMs = 0, criticalMs = 0, criticalCalls = 0;
  for (const { call: c, critical } of t.calls) {
    byOutcome[c.outcome] = (byOutcome[c.outcome] ?? 0) + 1;
    busyMs += c.end - c.start;
    savedMs += c.savedMs ?? 0;
    if (critical) (criticalMs += c.end - c.start), criticalCalls++;
    if (c.reason !== undefined) {
      const k = `${c.outcome} ${c.reason}`;
      const r = reasons.get(k) ?? { outcome: c.outcome, reason: c.reason, count: 0 };
      r.count++;
      reasons.set(k, r);
    }
  }
  return {
    wallMs: t.ended - t.started,
    byOutcome,
    busyMs,
    savedMs,
    criticalMs,
    criticalCalls,
    slowestMisses: t.calls.map((c) => c.call).filter((c) => c.outcome === 'miss' || c.outcome === 'uncacheable').sort((a, b) => (b.end - b.start) - (a.end - a.start)).slice(0, top),
    reasons: [...reasons.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}
