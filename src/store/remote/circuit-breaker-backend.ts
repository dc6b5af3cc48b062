import type { RemoteCounter } from '../../stats/stat-names.js';
import { StoreError } from '../types.js';
import type { RemoteBackend } from './types.js';

export interface BreakerOptions {
  /** Each request's deadline. */
  timeoutMs: number;
  /** How long the breaker stays open before a request probes the remote again. */
  cooldownMs: number;
  count: (counter: RemoteCounter) => void;
  now?: () => number;
}

/**
 * A dead or slow remote costs one timeout, then is skipped for a cool-down (DESIGN.md §2,
 * the circuit-breaker decorator). Every request gets the deadline; any failure but a
 * refusal opens the breaker; after the cool-down the next request goes through as a probe,
 * and its success closes it. Skipped requests fail at once with StoreError('unavailable').
 */
export function createCircuitBreakerBackend(inner: RemoteBackend, opts: BreakerOptions): RemoteBackend {
  const now = opts.now ?? Date.now;
  let openUntil = 0;
  const guard = async <T>(signal: AbortSignal, call: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    if (now() < openUntil) {
      opts.count('skipped');
      throw new StoreError('unavailable', `${inner.name}: skipped for ${Math.ceil((openUntil - now()) / 1000)} s after a failure`);
    }
    const deadline = AbortSignal.timeout(opts.timeoutMs);
    const both = AbortSignal.any([signal, deadline]);
    try {
      const r = await call(both);
      openUntil = 0;
      return r;
    } catch (e) {
      if (signal.aborted) throw e; // the caller gave up: says nothing about the remote
      const timedOut = deadline.aborted || (e instanceof StoreError && e.code === 'timeout');
      if (e instanceof StoreError && e.code === 'refused') {
        opts.count('refused');
        throw e;
      }
      opts.count(timedOut ? 'timeouts' : 'errors');
      if (openUntil === 0 || now() >= openUntil) opts.count('breaker-opened');
      openUntil = now() + opts.cooldownMs;
      if (timedOut) throw new StoreError('timeout', `${inner.name}: no answer within ${opts.timeoutMs} ms`);
      throw e instanceof StoreError ? e : new StoreError('unavailable', `${inner.name}: ${(e as Error).message}`);
    }
  };
  return {
    name: inner.name,
    cas: {
      findMissing: (digests, signal) => guard(signal, (s) => inner.cas.findMissing(digests, s)),
      get: (digest, signal) => guard(signal, (s) => inner.cas.get(digest, s)),
      put: (digest, data, signal) => guard(signal, (s) => inner.cas.put(digest, data, s)),
    },
    ac: {
      get: (key, signal) => guard(signal, (s) => inner.ac.get(key, s)),
      put: (key, result, signal) => guard(signal, (s) => inner.ac.put(key, result, s)),
    },
    close: () => inner.close(),
  };
}
