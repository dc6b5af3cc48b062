import { join } from 'node:path';
import { createGoCacheSpare, type GoCacheSpare } from '../../pipeline/go/create-gocache-spare.js';
import type { DaemonContext } from '../daemon-context.js';

const spares = new WeakMap<DaemonContext, GoCacheSpare>();

/** The daemon's spare GOCACHE directories (create-gocache-spare.ts): claimed by the go shim's calls, held by GOCACHEPROG sessions. */
export function goCacheSpareOf(ctx: DaemonContext): GoCacheSpare {
  let s = spares.get(ctx);
  if (!s) spares.set(ctx, (s = createGoCacheSpare(join(ctx.config.cacheDir, 'go-gocache-spare'), (e) => ctx.log.debug(`go: spare GOCACHE: ${e.message}`))));
  return s;
}
