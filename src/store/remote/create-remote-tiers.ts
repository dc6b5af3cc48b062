import { ConfigError } from '../../config/config-error.js';
import type { RemoteSpec } from '../../config/remote-spec.js';
import type { RemoteCounter } from '../../stats/stat-names.js';
import { createCircuitBreakerBackend } from './circuit-breaker-backend.js';
import { createHttpBackend } from './http-backend.js';
import { createRedisBackend } from './redis-backend.js';
import { createGrpcBackend } from './grpc-backend.js';
import type { DigestAlgorithm } from '../../hashing/types.js';
import type { RemoteTier } from './remote-tier.js';
import type { RemoteBackend } from './types.js';
import { createUploadQueue } from './upload-queue.js';
import { preloadReapiProtos } from '../../reapi/load-reapi-protos.js';

export interface RemoteTiers {
  readonly tiers: readonly RemoteTier[];
  /** Finishes queued uploads until the deadline (the rest are dropped and counted), then closes the connections. */
  close(deadlineMs: number): Promise<void>;
}

/** The protocol backend a URL names. */
function backendFor(spec: RemoteSpec, algorithm: DigestAlgorithm): RemoteBackend {
  const scheme = new URL(spec.url).protocol;
  if (scheme === 'http:' || scheme === 'https:') return createHttpBackend(spec);
  if (scheme === 'redis:' || scheme === 'rediss:') return createRedisBackend(spec);
  if (scheme === 'grpc:' || scheme === 'grpcs:') return createGrpcBackend(spec, { algorithm });
  throw new ConfigError(`remote ${spec.url}: ${scheme}// is not a remote scheme`);
}

/**
 * Each configured remote as a tier (the config tree mirrors the decorator tree): its protocol
 * backend, behind a circuit breaker, with its own upload queue and counters.
 */
/** `count` receives each remote's events (the daemon's: StatsStore.bumpRemote). */
export function createRemoteTiers(specs: readonly RemoteSpec[], algorithm: DigestAlgorithm, count: (remote: string, counter: RemoteCounter, n: number) => void): RemoteTiers {
  const tiers: RemoteTier[] = specs.map((spec) => {
    const name = spec.url;
    const countHere = (counter: RemoteCounter, n = 1): void => count(name, counter, n);
    return {
      name,
      role: spec.role,
      backend: createCircuitBreakerBackend(backendFor(spec, algorithm), { timeoutMs: spec.timeoutMs, cooldownMs: spec.cooldownMs, count: countHere }),
      uploads: createUploadQueue({ limit: spec.uploadQueue, concurrency: spec.maxConnections }),
      count: countHere,
    };
  });
  // Every backend decodes entries with the REAPI protos (about 40 ms to load).
  if (tiers.length > 0) preloadReapiProtos();
  return {
    tiers,
    async close(deadlineMs) {
      await Promise.all(tiers.map(async (t) => {
        const left = await t.uploads.drain(deadlineMs);
        if (left > 0) t.count('upload-dropped', left);
        await t.backend.close().catch(() => undefined);
      }));
    },
  };
}
