import { readHead } from '../exec/read-head.js';
import type { LookupTrace } from '../exec/parse-lookup-trace.js';
import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';
import { gccCoverage, withTraced } from './gcc-coverage.js';
import { learnFromDepfile, type Learned } from './learn-inputs.js';
import { traceCoverage } from './trace-coverage.js';
import type { PipelineUncacheableReason } from './uncacheable-reasons.js';

/** What a traced run taught: the inputs with every traced probe, or why they cannot be keyed (with what was learned so far). */
export type TracedLearning = { kind: 'learned'; learned: Learned } | { kind: 'gap'; reason: PipelineUncacheableReason; learned?: Learned };

/**
 * The inputs a depfile lists, checked against the lookup trace of the run that wrote it (or
 * of a -M pre-pass with the same flags): every question the compiler asked must be covered by
 * the key (trace-coverage.ts). Files read that no list names (.incbin, a precompiled header)
 * join the inputs; the traced absent and present paths join the probes.
 */
export async function learnTraced(ctx: CacheContext, c: CompileCall, depText: string, trace: LookupTrace | undefined, scratchRoots: readonly string[]): Promise<TracedLearning> {
  const first = await learnFromDepfile(ctx, c, depText, [], trace !== undefined);
  if (typeof first === 'string') return { kind: 'gap', reason: first };
  let learned = first;
  if (!trace) return { kind: 'gap', reason: 'trace-incomplete', learned };
  let cover = traceCoverage(trace, await gccCoverage(ctx, c, learned, scratchRoots));
  if (cover.kind === 'covered' && cover.addRead.some(isPrecompiledHeader)) return { kind: 'gap', reason: 'precompiled-header', learned };
  if (cover.kind === 'covered' && cover.addRead.length > 0) {
    const more = await learnFromDepfile(ctx, c, depText, cover.addRead, true);
    if (typeof more === 'string') return { kind: 'gap', reason: more, learned };
    learned = more;
    cover = traceCoverage(trace, await gccCoverage(ctx, c, learned, scratchRoots));
    if (cover.kind === 'covered' && cover.addRead.length > 0) cover = { kind: 'gap', reason: 'sandbox-violation', what: `read ${cover.addRead[0]}, which the key cannot cover` };
  }
  if (cover.kind === 'gap') {
    ctx.log.info(`${c.tool}: ${c.job.source} in ${c.cwd}: not stored (${cover.reason}): it ${cover.what}`);
    ctx.log.debug(`${c.tool}: ${cover.reason}: args ${JSON.stringify(c.job.runArgs)}, read ${JSON.stringify(learned.deps)}, absent ${JSON.stringify(learned.absent)}`);
    return { kind: 'gap', reason: cover.reason, learned };
  }
  const look = ctx.listings.look();
  return { kind: 'learned', learned: withTraced(c, learned, { absent: cover.addAbsent, present: cover.addPresent }, (p) => look.exists(p)) };
}

/** gcc's precompiled headers start with `gpch`. */
function isPrecompiledHeader(path: string): boolean {
  return readHead(path, 4)?.toString('latin1') === 'gpch';
}
