// The write-behind queue: bounded (a full queue refuses, never blocks), run a few at a time,
// drained at stop until a deadline, after which the rest are aborted and reported.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createUploadQueue } from '../../src/store/remote/upload-queue.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a full queue refuses at once; queued tasks run at most `concurrency` at a time', async () => {
  const q = createUploadQueue({ limit: 3, concurrency: 2 });
  let running = 0;
  let most = 0;
  let done = 0;
  const task = async (): Promise<void> => {
    running += 1;
    most = Math.max(most, running);
    await tick(20);
    running -= 1;
    done += 1;
  };
  const accepted = Array.from({ length: 7 }, () => q.enqueue(task));
  // Two start at once, three wait: the sixth and seventh find the queue full.
  assert.deepEqual(accepted, [true, true, true, true, true, false, false]);
  assert.equal(await q.drain(5000), 0);
  assert.equal(done, 5);
  assert.equal(most, 2);
});

test('drain waits for the tasks until its deadline, then aborts the rest and counts them', async () => {
  const q = createUploadQueue({ limit: 10, concurrency: 1 });
  const aborted: boolean[] = [];
  const slow = (signal: AbortSignal): Promise<void> => new Promise((resolve) => {
    const t = setTimeout(resolve, 10_000);
    signal.addEventListener('abort', () => (clearTimeout(t), aborted.push(true), resolve()));
  });
  q.enqueue(slow);
  q.enqueue(slow);
  const started = Date.now();
  assert.equal(await q.drain(100), 2);
  assert.ok(Date.now() - started < 2000);
  assert.equal(aborted.length, 1, 'the running task was aborted; the waiting one never started');
  assert.equal(q.enqueue(slow), false, 'a drained queue takes nothing more');
});

test('a failing task does not stop the queue', async () => {
  const q = createUploadQueue({ limit: 10, concurrency: 1 });
  let ran = 0;
  q.enqueue(async () => {
    throw new Error('remote said no');
  });
  q.enqueue(async () => {
    ran += 1;
  });
  assert.equal(await q.drain(1000), 0);
  assert.equal(ran, 1);
});
