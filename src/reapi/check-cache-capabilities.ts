import type { DigestAlgorithm } from '../hashing/types.js';
import { DIGEST_FUNCTION, type ServerCapabilities } from './types.js';

/** What a client needs from a server's CacheCapabilities. */
export interface CacheLimits {
  /** Blobs up to this size (with a margin for the message around them) go in batch calls; larger ones through ByteStream. */
  maxBatchBlobBytes: number;
  /** DigestFunction.Value for requests' digest_function: unset (0) for SHA-256, as REAPI 2.0 clients send. */
  digestFunction: number;
}

/** gRPC's default message limit: the batch size when a server sets none (0 means "no limit"). */
export const DEFAULT_BATCH_BYTES = 4 << 20;
/** Reprise's own ceiling on one batch call, whatever a server allows (the channel's receive limit is above it). */
export const MAX_BATCH_BYTES = 16 << 20;
/** Room for the digest and framing around one blob in a batch message. */
const BATCH_MARGIN = 1024;

const FUNCTION_OF: Record<DigestAlgorithm, { value: number; label: string }> = {
  sha256: { value: DIGEST_FUNCTION.SHA256, label: 'SHA-256' },
  blake3: { value: DIGEST_FUNCTION.BLAKE3, label: 'BLAKE3' },
};

/** The limits, or why this server cannot be this cache's remote. */
export function checkCacheCapabilities(caps: ServerCapabilities, algorithm: DigestAlgorithm): CacheLimits | { problem: string } {
  const cache = caps.cacheCapabilities;
  if (!cache) return { problem: 'the server offers no cache (no cache_capabilities in GetCapabilities)' };
  const fn = FUNCTION_OF[algorithm];
  if (!cache.digestFunction.includes(fn.value)) {
    const names = cache.digestFunction.map((v) => Object.entries(DIGEST_FUNCTION).find(([, n]) => n === v)?.[0] ?? String(v));
    return { problem: `the server does not accept ${fn.label} digests (it lists ${names.join(', ') || 'none'}); this cache uses ${fn.label}` };
  }
  const announced = cache.maxBatchTotalSizeBytes > 0 ? cache.maxBatchTotalSizeBytes : DEFAULT_BATCH_BYTES;
  return { maxBatchBlobBytes: Math.max(0, Math.min(announced, MAX_BATCH_BYTES) - BATCH_MARGIN), digestFunction: algorithm === 'sha256' ? 0 : fn.value };
}
