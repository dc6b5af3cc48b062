import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import { tryHit } from './try-hit.js';
import type { DrivenCall, Keyed, LanguagePipeline } from './types.js';

/**
 * One cacheable compile, start to end, for any language (ccache's do_cache_compilation and
 * sccache's get_cached_or_compile are the models): key the call → one flight per key →
 * look it up (try-hit.ts) → otherwise the language's fill compiles, stores and answers.
 * A call that cannot be keyed runs uncached, counted under its reason.
 */
export async function driveCompile<C extends DrivenCall, K extends Keyed, R extends string>(ctx: CacheContext, p: LanguagePipeline<C, K, R>, c: C, sink: CallSink): Promise<void> {
  const k = await p.key(ctx, c);
  if (k.kind === 'uncacheable') {
    if (k.why) ctx.log.debug(`${c.tool}: ${k.reason}: ${k.why}`);
    await sink.slot?.take(); // it compiles here
    return p.runUncached(ctx, c, sink, k.reason);
  }
  await ctx.flight(k.key.key, async () => {
    if (await tryHit(ctx, p, c, k, sink)) return;
    await p.fill(ctx, c, k, sink);
  });
}
