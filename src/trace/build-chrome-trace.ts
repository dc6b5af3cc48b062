import { basename } from 'node:path';
import { laneName } from './lane-name.js';
import type { ChromeTrace, ChromeTraceEvent, Timeline } from './types.js';

/** chrome://tracing's reserved colour names by outcome (Perfetto colours by name instead). */
const CNAME: Record<string, string> = { hit: 'good', 'shim-hit': 'good', miss: 'terrible', uncacheable: 'yellow', 'passed-through': 'grey', other: 'grey' };

/** The timeline as Chrome trace events: one thread per lane, a complete event (`X`) per call, instants for shim hits. */
export function buildChromeTrace(t: Timeline, version: string): ChromeTrace {
  const pid = 1;
  const us = (ms: number): number => Math.max(0, Math.round((ms - t.started) * 1000));
  const events: ChromeTraceEvent[] = [{ ph: 'M', name: 'process_name', pid, tid: 0, args: { name: `reprise trace: ${t.command}` } }];
  const hasShimHits = t.calls.some((c) => c.lane === 0);
  if (hasShimHits) events.push({ ph: 'M', name: 'thread_name', pid, tid: 0, args: { name: 'shim hits (when the daemon learnt of them)' } });
  for (const [i, l] of t.lanes.entries()) {
    const lane = i + 1;
    events.push({ ph: 'M', name: 'thread_name', pid, tid: lane, args: { name: laneName(l) } });
    events.push({ ph: 'M', name: 'thread_sort_index', pid, tid: lane, args: { sort_index: lane } });
  }
  for (const { call: c, lane, critical } of t.calls) {
    const args: Record<string, string | number | boolean> = { tool: c.tool, outcome: c.outcome, cwd: c.cwd, seq: c.seq };
    if (c.output !== undefined) args.output = c.output;
    if (c.reason !== undefined) args.reason = c.reason;
    if (c.savedMs !== undefined) args.savedMs = c.savedMs;
    if (c.failed) args.failed = true;
    if (c.executor !== undefined) args.executor = c.executor;
    if (critical) args.critical = true;
    const name = c.output ? basename(c.output) : c.tool;
    if (lane === 0) events.push({ ph: 'i', name, cat: c.outcome, ts: us(c.end), s: 't', pid, tid: 0, args });
    else events.push({ ph: 'X', name, cat: c.outcome, ts: us(c.start), dur: Math.max(1, Math.round((c.end - c.start) * 1000)), pid, tid: lane, cname: CNAME[c.outcome] ?? 'grey', args });
  }
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: { command: t.command, started: new Date(t.started).toISOString(), ended: new Date(t.ended).toISOString(), exitCode: t.exitCode, reprise: version },
  };
}
