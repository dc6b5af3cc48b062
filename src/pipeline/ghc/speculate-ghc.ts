import type { CacheContext } from '../cache-context.js';
import { lookUp } from '../driver/try-hit.js';
import type { GhcCall } from './ghc-call.js';
import { ghcKeyFor } from './ghc-key-for.js';
import { ghcPipeline } from './ghc-pipeline.js';
import { compileGhcChecked } from './fill-ghc.js';

/** What a speculative compile came to: an entry already matched, one was stored, or nothing was. */
export type Speculation = 'current' | 'stored' | 'not-stored';

/**
 * A split build's module compiled before every module it imports is done, against the
 * interfaces on disk now, on a slot the build would leave idle. It is a fill like any other
 * (sandboxed, traced, stored under what it read) that gives nothing to the caller: the
 * module's own job comes later and looks it up. That job finds it only if every interface
 * it read came out unchanged (or unchanged in the names it uses); otherwise it compiles as
 * it would have. So a guess that proves wrong costs idle time, never a wrong output.
 * `pin`: the interfaces of the modules below it, which their jobs may rewrite while this
 * one compiles: it is shown them as they are now, so what it read is known and its entry
 * stands (a splice's objects are not pinned: one rewritten meanwhile leaves it unstored).
 */
export async function speculateGhc(ctx: CacheContext, c: GhcCall, signal: AbortSignal, pin: readonly string[]): Promise<Speculation> {
  const k = await ghcKeyFor(ctx, c);
  if (k.kind === 'uncacheable') return 'not-stored';
  return ctx.flight(k.key.key, async () => {
    try {
      if (await lookUp(ctx, ghcPipeline, c, k)) return 'current';
    } catch {
      return 'not-stored';
    }
    if (signal.aborted) return 'not-stored';
    const checked = await compileGhcChecked(ctx, c, k, signal, undefined, pin);
    if (checked.kind === 'failed' || checked.kind === 'compiled') ctx.stats.bumpTool(c.tool, 'speculated');
    if (checked.kind === 'compiled' && typeof checked.stored === 'object') return 'stored';
    ctx.log.debug(`${c.tool}: ${c.job.source}: speculative compile not stored (${checked.kind === 'compiled' ? (checked.stored ?? 'store error') : checked.kind})`);
    return 'not-stored';
  });
}
