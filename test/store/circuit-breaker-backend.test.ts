// The circuit breaker: one failure or timeout opens it, requests are then skipped at once
// for the cool-down, a probe after it closes it again; a refusal is not an outage.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { RemoteCounter } from '../../src/stats/stat-names.js';
import { createCircuitBreakerBackend } from '../../src/store/remote/circuit-breaker-backend.js';
import type { RemoteBackend } from '../../src/store/remote/types.js';
import { StoreError } from '../../src/store/types.js';

type Mode = 'ok' | 'fail' | 'hang' | 'refuse';

function fakeRemote(): { backend: RemoteBackend; mode: { now: Mode }; calls: number[] } {
  const mode = { now: 'ok' as Mode };
  const calls: number[] = [];
  const act = async (signal: AbortSignal): Promise<undefined> => {
    calls.push(1);
    if (mode.now === 'fail') throw new StoreError('unavailable', 'connection refused');
    if (mode.now === 'refuse') throw new StoreError('refused', 'HTTP 403');
    if (mode.now === 'hang') await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    return undefined;
  };
  const backend: RemoteBackend = {
    name: 'fake://remote',
    cas: { findMissing: async () => [], get: (_d, s) => act(s), put: async (_d, _b, s) => void (await act(s)) },
    ac: { get: (_k, s) => act(s), put: async (_k, _r, s) => void (await act(s)) },
    close: async () => undefined,
  };
  return { backend, mode, calls };
}

test('a failure opens the breaker; requests are skipped until the cool-down ends; a good probe closes it', async () => {
  const { backend, mode, calls } = fakeRemote();
  let now = 1000;
  const counted: RemoteCounter[] = [];
  const b = createCircuitBreakerBackend(backend, { timeoutMs: 1000, cooldownMs: 30_000, count: (c) => counted.push(c), now: () => now });
  const signal = new AbortController().signal;
  mode.now = 'fail';
  await assert.rejects(b.ac.get('k', signal), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
  await assert.rejects(b.ac.get('k', signal), /skipped/);
  await assert.rejects(b.cas.get({ hash: 'h', size: 1 }, signal), /skipped/);
  assert.equal(calls.length, 1, 'skipped requests never reach the remote');
  mode.now = 'ok';
  now += 30_001;
  assert.equal(await b.ac.get('k', signal), undefined);
  assert.equal(await b.ac.get('k', signal), undefined);
  assert.deepEqual(counted, ['errors', 'breaker-opened', 'skipped', 'skipped']);
});

test('a slow remote costs one timeout, then is skipped', async (t) => {
  const { backend, mode } = fakeRemote();
  const counted: RemoteCounter[] = [];
  const b = createCircuitBreakerBackend(backend, { timeoutMs: 50, cooldownMs: 30_000, count: (c) => counted.push(c) });
  mode.now = 'hang';
  const signal = new AbortController().signal;
  // AbortSignal.timeout's timer does not keep the process alive (the daemon's server does).
  const alive = setInterval(() => undefined, 1000);
  t.after(() => clearInterval(alive));
  const started = Date.now();
  await assert.rejects(b.ac.get('k', signal), (e: unknown) => e instanceof StoreError && e.code === 'timeout');
  await assert.rejects(b.ac.get('k', signal), /skipped/);
  assert.ok(Date.now() - started < 1000);
  assert.deepEqual(counted, ['timeouts', 'breaker-opened', 'skipped']);
});

test('a refused write is counted and leaves the breaker closed', async () => {
  const { backend, mode, calls } = fakeRemote();
  const counted: RemoteCounter[] = [];
  const b = createCircuitBreakerBackend(backend, { timeoutMs: 1000, cooldownMs: 30_000, count: (c) => counted.push(c) });
  const signal = new AbortController().signal;
  mode.now = 'refuse';
  await assert.rejects(b.ac.put('k', { outputFiles: [], exitCode: 0, stdoutRaw: Buffer.alloc(0) }, signal), /403/);
  mode.now = 'ok';
  assert.equal(await b.ac.get('k', signal), undefined);
  assert.equal(calls.length, 2);
  assert.deepEqual(counted, ['refused']);
});
