import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import { matchManifestEntry, type ManifestEntry } from '../manifest.js';
import type { ActionResult } from '../../store/types.js';
import { replay } from '../replay.js';
import { verifyHit, verifyWanted } from '../verify-hit.js';
import { servableHere } from '../servable-here.js';
import type { DrivenCall, Hit, Keyed, LanguagePipeline, MatchOn } from './types.js';

/**
 * The direct-mode lookup, the same for every language: manifest → the entry whose inputs
 * still match → its result → replay. A hit is counted, recorded for `reprise why`,
 * verified when wanted, and answered; false on a miss, with nothing given to the caller.
 * A store failure is a miss (counted), never a failed call.
 */
export async function tryHit<C extends DrivenCall, K extends Keyed, R extends string>(ctx: CacheContext, p: LanguagePipeline<C, K, R>, c: C, k: K, sink: CallSink): Promise<boolean> {
  try {
    const found = await lookUp(ctx, p, c, k);
    if (!found) return false;
    const { entry, result, on } = found;
    const { resultKey } = entry;
    const placed = p.place(result, c, k);
    const replayed = await replay(result, ctx.cas, ctx.algorithm, placed.place, c.umask, sink, placed.render, placed.order);
    if (!replayed) return false;
    const hit: Hit = { entry, result, replayed, dirs: on.dirs };
    p.onReplayed?.(ctx, c, k, hit);
    ctx.stats.bumpTool(c.tool, 'direct-hit');
    ctx.stats.bumpCache('time-saved-ms', result.durationMs);
    ctx.why.hit(c, k.key, resultKey); // queued: written after the reply
    // Verified before the exit, so a build under `reprise verify` ends with its report complete.
    const verify = verifyWanted(ctx, c);
    if (verify) await verifyHit(ctx, c, resultKey, replayed, (sandbox, signal) => p.recompile(ctx, sandbox, c, k, signal), sink.signal);
    sink.exit(replayed.exitCode, 0);
    if (!verify) p.afterHit?.(ctx, c, k, hit);
    return true;
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`lookup failed, compiling: ${(e as Error).message}`);
    return false;
  }
}

/** The entry and result that would serve the call now, without serving it; undefined on a miss. Store failures throw. */
export async function lookUp<C extends DrivenCall, K extends Keyed, R extends string>(ctx: CacheContext, p: LanguagePipeline<C, K, R>, c: C, k: K): Promise<{ entry: ManifestEntry; result: ActionResult; on: MatchOn } | undefined> {
  const manifest = await ctx.manifests.get(k.key.key);
  if (!manifest) return undefined;
  const on = p.matchOn(ctx, c, k);
  const entry = await matchManifestEntry(manifest, on.files, on.dirs, on.env, on.views);
  if (!entry) return undefined;
  const result = await ctx.actions.get(entry.resultKey);
  if (!result || !p.accepts(result, c, k)) return undefined;
  if (!servableHere(ctx, result)) return undefined;
  return { entry, result, on };
}
