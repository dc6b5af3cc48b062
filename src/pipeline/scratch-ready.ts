import { mkdirSync } from 'node:fs';
import type { CacheContext } from './cache-context.js';

/** The scratch directory may have been deleted under us (the cache removed by hand): make it again. */
export function scratchReady(ctx: Pick<CacheContext, 'scratchDir' | 'log'>): boolean {
  try {
    mkdirSync(ctx.scratchDir, { recursive: true, mode: 0o700 });
    return true;
  } catch (e) {
    ctx.log.warn(`cannot create ${ctx.scratchDir}: ${(e as Error).message}; compiling without storing`);
    return false;
  }
}
