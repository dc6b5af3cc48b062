import assert from 'node:assert/strict';
import test from 'node:test';
import { createCallActivity } from '../../src/tickets/call-activity.js';

test('tickets wait while a call is in flight, then for a short pause when calls are sparse', () => {
  let t = 10_000;
  const a = createCallActivity(() => t);
  assert.equal(a.untilQuiet(), 0, 'no call yet');
  const end = a.start();
  assert.equal(a.untilQuiet(), Infinity);
  t += 3;
  end();
  end(); // a second end changes nothing
  assert.equal(a.untilQuiet(), 50);
  t += 49;
  assert.equal(a.untilQuiet(), 1);
  t += 1;
  assert.equal(a.untilQuiet(), 0);
});

test('tickets wait for a longer pause while calls keep the daemon busy; overlapping calls count once', () => {
  let t = 10_000;
  const a = createCallActivity(() => t);
  const pair = (ms: number): void => {
    const x = a.start();
    const y = a.start();
    t += ms;
    x();
    y();
    t += 10;
  };
  // Two calls at a time, 2 x 40 ms: the daemon was busy 80 ms of the last second, not 160.
  pair(40);
  pair(40);
  t -= 10;
  assert.equal(a.untilQuiet(), 50);
  pair(40); // now 120 ms busy
  t -= 10;
  assert.equal(a.untilQuiet(), 200);
  t += 199;
  assert.equal(a.untilQuiet(), 1);
  t += 1;
  assert.equal(a.untilQuiet(), 0);
  // A second later those calls are forgotten: a lone call again needs only the short pause.
  t += 1000;
  const z = a.start();
  t += 2;
  z();
  assert.equal(a.untilQuiet(), 50);
});
