import { digestBytes } from '../hashing/create-hasher.js';
import type { CacheContext } from './cache-context.js';

/** Puts bytes in the CAS, counts them as stored, and returns their digest. */
export async function storeBlob(ctx: Pick<CacheContext, 'algorithm' | 'cas' | 'stats'>, bytes: Buffer): Promise<string> {
  const d = digestBytes(ctx.algorithm, bytes).hash;
  await ctx.cas.put(d, bytes);
  ctx.stats.bumpCache('bytes-stored', bytes.length);
  return d;
}
