import type { CallEvent } from '../calls/types.js';
import { criticalPath } from './critical-path.js';
import type { LaidCall, Lane } from './types.js';

/**
 * Puts each call on a lane, like `cargo build --timings`' units: the first lane free at its
 * start, so there are as many lanes as calls ever ran at once (make -j2: two, plus the odd
 * overlap of a job's start with another's reply). Misses an executor compiled get lanes of
 * their own per executor, after the local ones, so its share of the build shows. Shim hits,
 * whose duration is not known, share lane 0.
 */
export function layOutCalls(events: readonly CallEvent[]): { calls: LaidCall[]; lanes: Lane[] } {
  const sorted = [...events].sort((a, b) => a.start - b.start || a.seq - b.seq);
  const critical = criticalPath(sorted.filter((e) => e.outcome !== 'shim-hit'));
  // Each group's lanes, by where they end: '' is this machine's.
  const groups = new Map<string, number[]>([['', []]]);
  const placed = sorted.map((call) => {
    if (call.outcome === 'shim-hit') return { call, group: '', lane: -1 };
    const group = call.executor ?? '';
    let ends = groups.get(group);
    if (!ends) groups.set(group, (ends = []));
    let lane = ends.findIndex((end) => end <= call.start);
    if (lane === -1) lane = ends.push(call.end) - 1;
    else ends[lane] = call.end;
    return { call, group, lane };
  });
  const first = new Map<string, number>();
  const lanes: Lane[] = [];
  for (const [group, ends] of groups) {
    first.set(group, lanes.length + 1);
    ends.forEach((_, i) => lanes.push(group === '' ? { index: i + 1 } : { executor: group, index: i + 1 }));
  }
  const calls = placed.map(({ call, group, lane }): LaidCall =>
    lane < 0 ? { call, lane: 0, critical: false } : { call, lane: first.get(group)! + lane, critical: critical.has(call.seq) });
  return { calls, lanes };
}
