import { offerCTicket } from '../tickets/offer-c-ticket.js';
import { compileUncached, fillCompile, recompileC, type CompileCall } from './cached-compile.js';
import { directKeyFor, type DirectKeyed } from './direct-key-for.js';
import type { LanguagePipeline } from './driver/types.js';
import { jobOutputs, placeOutputs } from './place-outputs.js';
import type { PipelineUncacheableReason } from './uncacheable-reasons.js';

/**
 * gcc and clang behind the shared driver: keyed before any header is read (directKeyFor),
 * entries matched from the call's $PWD, outputs placed with the depfile rendered for the
 * caller, and a shim ticket offered after an unverified hit. The fill is cached-compile.ts.
 */
export const cPipeline: LanguagePipeline<CompileCall, DirectKeyed, PipelineUncacheableReason> = {
  key: (ctx, c) => directKeyFor(ctx, c),
  matchOn: (ctx, c) => ({ files: ctx.files, dirs: { cwd: c.cwd, pwd: c.keyCwd } }),
  accepts: (result, c) => result.outputs.length === jobOutputs(c.job).length,
  place: (_result, c) => ({ place: placeOutputs(c) }),
  afterHit: (ctx, c, k, hit) => offerCTicket(ctx, c, k, hit.entry, hit.result, hit.replayed),
  recompile: (ctx, sandbox, c, _k, signal) => recompileC(ctx, sandbox, c, signal),
  fill: fillCompile,
  runUncached: compileUncached,
};
