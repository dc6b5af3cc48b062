import { createHash } from 'node:crypto';
import { Blake3Hasher } from '@napi-rs/blake-hash';
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
  return { hash: createHasher(algorithm).update(data).hex(), size: data.length };
}

/** Hex digests are 64 characters for both algorithms. */
export function isDigestHex(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}
