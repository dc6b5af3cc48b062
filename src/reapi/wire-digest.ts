import { isDigestHex } from '../hashing/create-hasher.js';
import type { Digest } from '../hashing/types.js';
import type { WireDigest } from './types.js';

export function toWireDigest(d: Digest): WireDigest {
  return { hash: d.hash, sizeBytes: d.size };
}

/** A digest from the wire, or undefined unless it is 64 lowercase hex digits and a size in 0..2^53. */
export function fromWireDigest(w: WireDigest | null | undefined): Digest | undefined {
  if (!w || typeof w.hash !== 'string' || !isDigestHex(w.hash)) return undefined;
  if (!Number.isSafeInteger(w.sizeBytes) || w.sizeBytes < 0) return undefined;
  return { hash: w.hash, size: w.sizeBytes };
}
