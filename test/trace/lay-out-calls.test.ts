// Lanes, the critical path and the call feed, on made-up calls.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createCallFeed, outputOf } from '../../src/calls/create-call-feed.js';
import type { CallEvent } from '../../src/calls/types.js';
import { buildChromeTrace } from '../../src/trace/build-chrome-trace.js';
import { layOutCalls } from '../../src/trace/lay-out-calls.js';
import { laneName } from '../../src/trace/lane-name.js';
import { chromeTraceProblems } from '../dashboard/chrome-trace-schema.js';

let seq = 0;
const call = (start: number, end: number, outcome: CallEvent['outcome'] = 'miss'): CallEvent => ({ seq: ++seq, tool: 'gcc', start, end, outcome, cwd: '/p', output: `/p/${seq}.o` });

test('calls go on the first free lane; shim hits on lane 0', () => {
  const a = call(0, 10), b = call(1, 5), c = call(5, 9), d = call(10, 20), e = call(3, 3, 'shim-hit'), f = call(2, 8);
  const { calls, lanes } = layOutCalls([a, b, c, d, e, f]);
  const lane = new Map(calls.map((l) => [l.call.seq, l.lane]));
  assert.equal(lanes.length, 3);
  assert.deepEqual([lane.get(a.seq), lane.get(b.seq), lane.get(f.seq), lane.get(c.seq), lane.get(d.seq), lane.get(e.seq)], [1, 2, 3, 2, 1, 0]);
});

test('misses an executor compiled get lanes of their own per executor, after the local ones, named for it', () => {
  const b = 'grpc://10.0.0.2:9092', c = 'grpc://10.0.0.3:8980';
  const on = (start: number, end: number, executor: string): CallEvent => ({ ...call(start, end), executor });
  const l1 = call(0, 10), r1 = on(0, 6, b), r2 = on(1, 4, b), r3 = on(2, 9, c), r4 = on(6, 8, b), l2 = call(10, 12), s = call(5, 5, 'shim-hit');
  const { calls, lanes } = layOutCalls([l1, r1, r2, r3, r4, l2, s]);
  const lane = new Map(calls.map((l) => [l.call.seq, l.lane]));
  assert.deepEqual(lanes.map(laneName), ['job 1', `${b} 1`, `${b} 2`, `${c} 1`]);
  assert.equal(lanes.length, 4);
  assert.deepEqual([l1, r1, r2, r3, r4, l2, s].map((x) => lane.get(x.seq)), [1, 2, 3, 4, 2, 1, 0]);
  const trace = buildChromeTrace({ command: 'make', started: 0, ended: 12, exitCode: 0, ...layOutCalls([l1, r1, r3]) }, '0.0.0');
  assert.deepEqual(chromeTraceProblems(JSON.parse(JSON.stringify(trace))), []);
  const names = trace.traceEvents.flatMap((e) => (e.ph === 'M' && e.name === 'thread_name' ? [[e.tid, e.args.name]] : []));
  assert.deepEqual(names, [[1, 'job 1'], [2, `${b} 1`], [3, `${c} 1`]]);
  assert.deepEqual(trace.traceEvents.flatMap((e) => (e.ph === 'X' ? [[e.tid, e.args.executor ?? '']] : [])), [[1, ''], [2, b], [3, c]]);
});

test('the critical path steps back from the last call to the latest one that ended before each started', () => {
  const a = call(0, 4), b = call(0, 2), c = call(4, 9), d = call(2, 5), e = call(9, 12);
  const crit = new Set(layOutCalls([a, b, c, d, e]).calls.filter((l) => l.critical).map((l) => l.call.seq));
  assert.deepEqual(crit, new Set([e.seq, c.seq, a.seq]));
});

test('the Chrome trace of a timeline passes the schema check', () => {
  const laid = layOutCalls([call(1000, 1010), call(1002, 1004, 'uncacheable'), call(1005, 1005, 'shim-hit')]);
  const trace = buildChromeTrace({ command: 'make', started: 1000, ended: 1020, exitCode: 0, ...laid }, '0.0.0');
  assert.deepEqual(chromeTraceProblems(JSON.parse(JSON.stringify(trace))), []);
  assert.equal(trace.traceEvents.filter((e) => e.ph === 'X').length, 2);
  assert.equal(trace.traceEvents.filter((e) => e.ph === 'i').length, 1);
  assert.deepEqual(chromeTraceProblems({ traceEvents: [{ ph: 'X', name: 'x', pid: 1, tid: 1, ts: 5 }] }), ['traceEvents[0]: a complete event (X) needs dur >= 0']);
});

test('the feed: outcomes from inside a call, nothing from outside it, and since() with losses', async () => {
  let t = 0;
  const feed = createCallFeed(() => t++);
  await feed.track({ shimName: 'gcc', cwd: '/w', argv: ['gcc', '-c', 'a.c', '-o', 'a.o'] }, async () => {
    await Promise.resolve();
    Object.assign(feed.current()!, { outcome: 'uncacheable', reason: 'time-macro' });
    feed.outside(() => assert.equal(feed.current(), undefined));
  });
  assert.equal(feed.current(), undefined);
  feed.shimHit('g++', 40, '/w', '/w/b.o');
  const { seq, events, lost } = feed.since(0);
  assert.equal(seq, 2);
  assert.equal(lost, 0);
  assert.deepEqual(events.map((e) => [e.tool, e.outcome, e.reason, e.output]), [['gcc', 'uncacheable', 'time-macro', '/w/a.o'], ['g++', 'shim-hit', undefined, '/w/b.o']]);
  assert.deepEqual(feed.since(undefined).events, []);
  assert.equal(feed.since(1).events.length, 1);
  assert.equal(outputOf(['cc', '-oout/x.o', '-c', 'x.c'], '/d'), '/d/out/x.o');
});
