import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { RemoteSpec } from '../../config/remote-spec.js';
import { StoreError } from '../types.js';
import { decodeStoredActionResult, encodeActionResult } from './action-result-codec.js';
import type { RemoteBackend } from './types.js';

/**
 * Redis: blobs under `reprise:cas:<hash>`, entries (REAPI ActionResult bytes, as over HTTP)
 * under `reprise:ac:<key>`. Commands fail at once while the connection is down (no offline
 * queue), so an outage costs no waiting; ioredis reconnects in the background.
 */
export function createRedisBackend(spec: RemoteSpec): RemoteBackend {
  const url = new URL(spec.url);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  const redis = new Redis({
    host: url.hostname,
    port: url.port === '' ? 6379 : Number(url.port),
    db: Number.isSafeInteger(db) ? db : 0,
    ...(spec.username !== undefined ? { username: spec.username } : {}),
    ...(spec.password !== undefined ? { password: spec.password } : {}),
    ...(url.protocol === 'rediss:' ? { tls: spec.caFile ? { ca: readFileSync(spec.caFile) } : {} } : {}),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: spec.timeoutMs,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', () => undefined); // counted per request; the connection retries by itself

  // A first connection still being made is waited for (else the first compiles would open the
  // breaker of a healthy server); one that failed and is being retried fails the request now.
  const ready = (): Promise<void> => {
    if (redis.status === 'ready') return Promise.resolve();
    if (redis.status !== 'connecting' && redis.status !== 'connect' && redis.status !== 'wait') return Promise.reject(new Error(`not connected (${redis.status})`));
    return new Promise((resolve, reject) => {
      const ok = (): void => (redis.off('error', bad), resolve());
      const bad = (e: Error): void => (redis.off('ready', ok), reject(e));
      redis.once('ready', ok);
      redis.once('error', bad);
    });
  };

  const call = async <T>(what: string, signal: AbortSignal, run: () => Promise<T>): Promise<T> => {
    if (signal.aborted) throw new StoreError('timeout', `${spec.url}: ${what}: aborted`);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new StoreError('timeout', `${spec.url}: ${what}: aborted`));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([ready().then(run), aborted]);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      const msg = (e as Error).message;
      throw new StoreError(/NOPERM|NOAUTH|READONLY/.test(msg) ? 'refused' : 'unavailable', `${spec.url}: ${what}: ${msg}`);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  };

  return {
    name: spec.url,
    cas: {
      async findMissing(digests, signal) {
        if (digests.length === 0) return [];
        const found = await call('EXISTS', signal, async () => {
          const p = redis.pipeline();
          for (const d of digests) p.exists(`reprise:cas:${d.hash}`);
          return (await p.exec()) ?? [];
        });
        return digests.filter((_, i) => {
          const [err, n] = found[i] ?? [new Error('no reply'), 0];
          if (err) throw new StoreError('unavailable', `${spec.url}: EXISTS: ${err.message}`);
          return n === 0;
        });
      },
      get: async (d, signal) => (await call('GET', signal, () => redis.getBuffer(`reprise:cas:${d.hash}`))) ?? undefined,
      put: async (d, data, signal) => {
        await call('SET', signal, () => redis.set(`reprise:cas:${d.hash}`, data));
      },
    },
    ac: {
      async get(key, signal) {
        const bytes = await call('GET', signal, () => redis.getBuffer(`reprise:ac:${key}`));
        return bytes ? decodeStoredActionResult(bytes) : undefined;
      },
      put: async (key, result, signal) => {
        await call('SET', signal, () => redis.set(`reprise:ac:${key}`, encodeActionResult(result)));
      },
    },
    async close() {
      redis.disconnect();
    },
  };
}
