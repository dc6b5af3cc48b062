import type { CompilePlan, Language } from '../../adapters/types.js';
import type { Call } from '../../protocol/frames.js';
import { ticketPayload } from '../../tickets/ticket-payload.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import { cPipeline } from '../c-pipeline.js';
import { rustPipeline } from '../rust/rust-pipeline.js';
import { ghcPipeline } from '../ghc/ghc-pipeline.js';
import { cachedGhcMake, runAsIs, type ExtraSlots } from '../ghc/split-make.js';
import { driveCompile } from './drive-compile.js';
import type { DrivenCall, Keyed, LanguagePipeline } from './types.js';
import type { CallBase } from './call-base.js';

export type { CallBase } from './call-base.js';

/** One language in the daemon's table: how a planned compile becomes its pipeline's call, and is served. */
export interface LanguageRow<L extends Language> {
  /** Hits the shims replayed are read in first, so `reprise why` sees them before this compile (a language with shim tickets). */
  shimHitsFirst: boolean;
  /**
   * Serves the call through the driver, or, with the cache off, uncached (counted
   * cache-disabled). `slots` lends more of the daemon's job slots (a split --make's jobs).
   */
  serve(ctx: CacheContext, plan: CompilePlan<L>, base: CallBase, call: Call, sink: CallSink, cacheOn: boolean, slots: ExtraSlots): Promise<void>;
}

/**
 * The pipeline of each language an adapter plans for. Adding a language is one adapter, one
 * pipeline and one row here.
 */
export const PIPELINES: { [L in Language]: LanguageRow<L> } = {
  // A call reading a response file gets no ticket: the shim cannot check the file.
  c: row(cPipeline, true, (base, plan, call) => ({ ...base, job: plan.job, terminalArgs: plan.terminalArgs, ticket: call.argv.some((a) => a.startsWith('@')) ? undefined : memo(() => ticketPayload(call)) })),
  rust: row(rustPipeline, false, (base, plan) => ({ ...base, job: plan.job, terminalArgs: plan.terminalArgs })),
  ghc: row(ghcPipeline, false, (base, plan) => ({ ...base, job: { ...plan.job, outputs: [] }, terminalArgs: plan.terminalArgs })),
  // Not one compile: the build is split into ghc jobs, each through the driver.
  'ghc-make': {
    shimHitsFirst: false,
    serve: (ctx, plan, base, _call, sink, cacheOn, slots) => {
      const c = { ...base, job: plan.job, terminalArgs: plan.terminalArgs };
      return cacheOn ? cachedGhcMake(ctx, c, sink, slots) : runAsIs(ctx, c, sink, 'cache-disabled');
    },
  },
};

function row<L extends Language, C extends DrivenCall, K extends Keyed, R extends string>(
  pipeline: LanguagePipeline<C, K, R | 'cache-disabled'>,
  shimHitsFirst: boolean,
  makeCall: (base: CallBase, plan: CompilePlan<L>, call: Call) => C,
): LanguageRow<L> {
  return {
    shimHitsFirst,
    serve: (ctx, plan, base, call, sink, cacheOn) => {
      const c = makeCall(base, plan, call);
      return cacheOn ? driveCompile(ctx, pipeline, c, sink) : pipeline.runUncached(ctx, c, sink, 'cache-disabled');
    },
  };
}

/** Computes once, when first asked (most calls never need their ticket payload). */
function memo<T>(f: () => T): () => T {
  let v: { value: T } | undefined;
  return () => (v ??= { value: f() }).value;
}
