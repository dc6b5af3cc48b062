import { offerCTicket } from '../tickets/offer-c-ticket.js';
import { compileUncached, fillCompile, recompileC, type CompileCall } from './cached-compile.js';
import { searchDirKinds } from './aliased-search-dir.js';
import { directKeyFor, type DirectKeyed } from './direct-key-for.js';
import { searchGroups } from './learn-inputs.js';
import type { LanguagePipeline } from './driver/types.js';
import { jobOutputs, placeOutputs } from './place-outputs.js';
import type { PipelineUncacheableReason } from './uncacheable-reasons.js';

/**
 * gcc and clang behind the shared driver: keyed before any header is read (directKeyFor),
 * entries matched from the call's $PWD, outputs placed with the depfile rendered for the
 * caller, and a shim ticket offered after an unverified hit. The fill is cached-compile.ts.
 */
export const cPipeline: LanguagePipeline<CompileCall, DirectKeyed, PipelineUncacheableReason> = {
  key: async (ctx, c) => {
    // The key first: it declines or passes through what is no compiler (a script that fails, a
    // driver that cannot run), which has no search list to ask for.
    const k = await directKeyFor(ctx, c);
    if (k.kind !== 'key') return k;
    let groups;
    try {
      groups = await searchGroups(ctx, c);
    } catch (e) {
      ctx.log.info(`${c.tool}: ${c.job.source}: ${(e as Error).message}; not cached`);
      return { kind: 'uncacheable', reason: 'dep-scan-failed' };
    }
    const kinds = searchDirKinds(c.cwd, groups);
    if (kinds.aliased) {
      ctx.log.debug(`${c.tool}: ${c.job.source}: search directories ${kinds.aliased.join(' and ')} are one directory, of two kinds`);
      return { kind: 'uncacheable', reason: 'aliased-search-dir' };
    }
    return { ...k, distinctDirs: kinds.distinct };
  },
  matchOn: (ctx, c) => ({ files: ctx.files, dirs: { cwd: c.cwd, pwd: c.keyCwd } }),
  accepts: (result, c) => result.outputs.length === jobOutputs(c.job).length,
  place: (_result, c) => ({ place: placeOutputs(c) }),
  afterHit: (ctx, c, k, hit) => offerCTicket(ctx, c, k, hit.entry, hit.result, hit.replayed),
  recompile: (ctx, sandbox, c, _k, signal) => recompileC(ctx, sandbox, c, signal),
  fill: fillCompile,
  runUncached: compileUncached,
};
