// `auto`'s room on the executors (offer-remote.ts): a call decided remote counts against it
// from the decision, not only once its action is sent after the pre-pass, so calls that
// arrive together do not all see the same free place and overshoot the depth.
import assert from 'node:assert/strict';
import { createInputGuesses } from '../../../src/pipeline/remote/input-guesses.js';
import test from 'node:test';
import { EXECUTOR_DEFAULTS } from '../../../src/config/executor-spec.js';
import { AUTO_DEPTH, heading, mayFeed } from '../../../src/pipeline/remote/offer-remote.js';
import type { RemoteExecution, RemoteTarget } from '../../../src/pipeline/remote/types.js';

const target = (name: string, inFlight: number, maxInFlight = EXECUTOR_DEFAULTS.maxInFlight): RemoteTarget => ({
  name, spec: { ...EXECUTOR_DEFAULTS, url: name, maxInFlight }, inFlight, downUntil: 0, probing: false,
  probe: async () => true,
  executor: () => { throw new Error('not used'); },
});
const remote = (targets: RemoteTarget[]): RemoteExecution => ({ policy: 'auto', targets, headed: 0, digests: new Map(), guesses: createInputGuesses(), queued: new Set(), order: () => targets, knows: () => true, close: async () => undefined });

test('calls headed for the executors take up their room until sent; a call counted twice is not', () => {
  const r = remote([target('grpc://b:1', AUTO_DEPTH - 2)]);
  assert.equal(mayFeed(r), true);
  const first = heading(r);
  assert.equal(mayFeed(r), true, 'one place left');
  const second = heading(r);
  assert.equal(mayFeed(r), false, 'both places taken by calls still in their pre-pass');
  second();
  second();
  assert.equal(r.headed, 1);
  assert.equal(mayFeed(r), true);
  // Sent: the target counts it now.
  first();
  r.targets[0]!.inFlight = AUTO_DEPTH - 1;
  assert.equal(mayFeed(r), true);
  assert.equal(mayFeed(r, 2), false, 'a shallower depth');
});

test('room is summed over executors that are up, each within its own limit', () => {
  const down = { ...target('grpc://c:1', 0), downUntil: performance.now() + 60_000 };
  const r = remote([target('grpc://b:1', 0, 1), down]);
  const a = heading(r);
  assert.equal(mayFeed(r), false, 'b holds one at most, c is down');
  a();
  r.targets[1]!.downUntil = 0;
  heading(r);
  heading(r);
  assert.equal(mayFeed(r), true, `b's one place and c's ${AUTO_DEPTH}, against 2 headed`);
});
