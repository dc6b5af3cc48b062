import { createHash } from 'node:crypto';
import { Blake3Hasher, blake3 } from '@napi-rs/blake-hash';
import type { DigestAlgorithm, Digest, Hasher } from './types.js';

export function createHasher(algorithm: DigestAlgorithm): Hasher {
  if (algorithm === 'sha256') {
    const h = createHash('sha256');
    const self: Hasher = { update: (d) => (h.update(d), self), hex: () => h.digest('hex') };
    return self;
  }
  const h = new Blake3Hasher();
  const self: Hasher = { update: (d) => (h.update(d), self), hex: () => h.digest('hex') };
  return self;
}

export function digestBytes(algorithm: DigestAlgorithm, data: Buffer): Digest {
  // The one-shot call skips creating a native hasher object: a few µs per small buffer, on every hit.
  const hash = algorithm === 'blake3' ? blake3(data).toString('hex') : createHash('sha256').update(data).digest('hex');
  return { hash, size: data.length };
}

/** Hex digests are 64 characters for both algorithms. */
export function isDigestHex(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

const EMPTY_DIGESTS = new Map<DigestAlgorithm, string>();

/** The hex digest of the empty blob (most compiles print nothing): known without reading or storing anything. */
export function emptyDigest(algorithm: DigestAlgorithm): string {
  let d = EMPTY_DIGESTS.get(algorithm);
  if (d === undefined) EMPTY_DIGESTS.set(algorithm, (d = digestBytes(algorithm, Buffer.alloc(0)).hash));
  return d;
}
