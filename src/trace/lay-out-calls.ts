import type { CallEvent } from '../calls/types.js';
import { criticalPath } from './critical-path.js';
import type { LaidCall } from './types.js';

/**
 * Puts each call on a lane, like `cargo build --timings`' units: the first lane free at its
 * start, so there are as many lanes as calls ever ran at once (make -j2: two, plus the odd
 * overlap of a job's start with another's reply). Shim hits, whose duration is not known,
 * share lane 0.
 */
export function layOutCalls(events: readonly CallEvent[]): { calls: LaidCall[]; lanes: number } {
  const sorted = [...events].sort((a, b) => a.start - b.start || a.seq - b.seq);
  const laneEnds: number[] = [];
  const critical = criticalPath(sorted.filter((e) => e.outcome !== 'shim-hit'));
  const calls = sorted.map((call): LaidCall => {
    if (call.outcome === 'shim-hit') return { call, lane: 0, critical: false };
    let lane = laneEnds.findIndex((end) => end <= call.start);
    if (lane === -1) lane = laneEnds.push(call.end) - 1;
    else laneEnds[lane] = call.end;
    return { call, lane: lane + 1, critical: critical.has(call.seq) };
  });
  return { calls, lanes: laneEnds.length };
}
