import { resolve } from 'node:path';
import type { Sandbox } from '../exec/create-sandbox.js';
import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';
import { learnFromDepfile, searchChain, type Learned } from './learn-inputs.js';
import { runInSandbox, type SandboxRun } from './run-in-sandbox.js';
import type { PipelineUncacheableReason } from './uncacheable-reasons.js';
import { windowStartNs } from './window-start-ns.js';

/** What a fill on reused inputs gave: a compile to store, a reason it cannot be stored, or nothing (run the fill with its pre-pass). */
export type ReusedInputsFill =
  | { kind: 'ran'; learned: Learned; run: Extract<SandboxRun, { kind: 'ran' }> }
  | { kind: 'not-learned'; reason: PipelineUncacheableReason }
  | undefined;

/** Reasons that belong to the files read, not to the view: a pre-pass would find them too. */
const CONTENT_REASONS: ReadonlySet<PipelineUncacheableReason> = new Set(['time-macro', 'pragma-dependency', 'computed-has-include', 'dotdot-past-symlink', 'dangling-symlink-probe']);

/**
 * A fill without the -M pre-pass, whose gcc start-up is most of what a miss costs beyond
 * the compile: the compile runs in the sandbox shown what the last fill of the same source
 * (same directory, language and search path) read, and lists what it reads itself (-MD).
 * Its result stands only when the proof is the pre-pass fill's: the key covers every file
 * shown, because the compile read each of them (its depfile and the paths __has_include
 * found; anything else it read was the toolchain's, shown whole, and is in the depfile
 * too); and no candidate the probes name exists unread outside the toolchain (which is
 * shown whole), where the compile inside could have passed it over only because it was not
 * shown (a header new in an earlier -I directory, a .gch). Otherwise, and when the compile fails inside (it needed a file not
 * shown), undefined: the caller runs the fill with its pre-pass.
 */
export async function reusedInputsFill(ctx: CacheContext, sandbox: Sandbox, c: CompileCall, signal: AbortSignal): Promise<ReusedInputsFill> {
  const lists = c.job.listsInputs;
  if (!lists) return undefined;
  const chain = await searchChain(ctx, c);
  const key = earlierKey(c, chain);
  const files = ctx.earlier.get(key);
  if (!files) return undefined;
  const differed = (why: string): undefined => {
    ctx.earlier.refuse(key);
    ctx.stats.bumpCache('reused-inputs-differed');
    ctx.log.debug(`${c.tool}: ${c.job.source}: the last fill's inputs did not hold (${why}); running the pre-pass`);
    return undefined;
  };
  const run = await runInSandbox(ctx, sandbox, c, { files: [...files], chain, depfile: lists === 'added' }, windowStartNs(), signal);
  if (run.kind !== 'ran') return differed(run.why);
  if (run.outcome.code !== 0 || run.outcome.signal !== 0) return differed(`exit ${run.outcome.code}`);
  const depfile = lists === 'caller' ? run.data[run.data.length - 1] : run.depfile;
  const learned = depfile ? await learnFromDepfile(ctx, c, depfile.toString('utf8')) : 'no-depfile';
  if (typeof learned === 'string') return CONTENT_REASONS.has(learned) ? { kind: 'not-learned', reason: learned } : differed(learned);
  const shown = new Set(files.map((p) => resolve(c.cwd, p)));
  const read = new Set([...learned.deps, ...learned.present]);
  const unread = [...shown].find((p) => !read.has(p));
  if (unread !== undefined) return differed(`${unread} was shown and not read`);
  // The toolchain is shown whole (gcc's own include directory among it): what it holds was seen inside too.
  const toolchain = await ctx.toolchain(c.toolPath, Object.fromEntries(c.env));
  const hidden = learned.existing.find((p) => !toolchain.some((t) => p.startsWith(`${t}/`)));
  if (hidden !== undefined) return differed(`${hidden} exists and was not shown`);
  ctx.stats.bumpCache('fill-reused-inputs');
  return { kind: 'ran', learned, run };
}

/** Remembers the files a fill was shown and read (filesAsOpened) for the next fill of the same source. */
export function rememberInputs(ctx: CacheContext, c: CompileCall, chain: readonly string[], files: readonly string[]): void {
  ctx.earlier.set(earlierKey(c, chain), files);
}

/** The same source, from the same directory, in the same language and search path, with the same compiler. */
function earlierKey(c: CompileCall, chain: readonly string[]): string {
  return JSON.stringify([c.toolPath, c.cwd, c.job.source, c.job.language, chain]);
}
