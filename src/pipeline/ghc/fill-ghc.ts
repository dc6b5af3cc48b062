import { resolve } from 'node:path';
import type { GhcUncacheableReason } from '../../adapters/ghc/types.js';
import { emptyByDesign } from '../../adapters/ghc/ghc-outputs.js';
import type { Sandbox } from '../../exec/create-sandbox.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import { runForCaller } from '../run-for-caller.js';
import { scratchReady } from '../scratch-ready.js';
import type { RunOutcome } from '../store-compile.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import { writeOutput } from '../write-output.js';
import type { SandboxRun } from '../run-in-sandbox.js';
import type { GhcCall, GhcKeyed } from './ghc-call.js';
import { ghcTraced } from './ghc-trace.js';
import { runGhcInSandbox } from './run-ghc-in-sandbox.js';
import { storeGhcCompile } from './store-ghc-compile.js';

type Reason = PipelineUncacheableReason | GhcUncacheableReason;

/** The call as `reprise why` and verify mode see it: with the outputs its module names. */
export function withOutputs(c: GhcCall, k: GhcKeyed): GhcCall & { job: GhcCall['job'] & { outputs: GhcKeyed['outputs'] } } {
  return { ...c, job: { ...c.job, outputs: k.outputs } };
}

/**
 * The checked fill of a `ghc -c`: ghc runs over the host's read-only view, traced, and
 * only then is anything stored or given to the caller. Its outputs go to the caller even
 * when they are not stored (they are a clean build's), except when one is missing or the
 * compile wrote a file the job does not name: then the caller gets a run outside. A compile
 * that fails inside runs again outside, and the caller gets exactly that run.
 */
export async function fillGhc(ctx: CacheContext, c: GhcCall, k: GhcKeyed, sink: CallSink): Promise<void> {
  if (!ctx.sandbox || !(await ctx.sandbox.status()).ok) return runCounted(ctx, c, k, sink, 'sandbox-unavailable');
  if (!scratchReady(ctx)) return runCounted(ctx, c, k, sink, 'sandbox-error');
  const ran = await runGhcInSandbox(ctx, ctx.sandbox, c, k, true, sink.signal);
  if (ran.kind === 'ran') sink.ranHidden();
  if (sink.signal.aborted) return sink.abandon();
  if (ran.kind === 'sandbox-error') {
    ctx.log.warn(`${c.tool}: sandbox error, compiling outside it: ${ran.why}`);
    return runCounted(ctx, c, k, sink, 'sandbox-error');
  }
  const r = ran.outcome;
  if (r.code !== 0 || r.signal !== 0) return afterSandboxFailure(ctx, c, k, r, sink);
  const rc = withOutputs(c, k);
  const missing = k.outputs.findIndex((o, i) => ran.data[i]!.length === 0 && !emptyByDesign(c.job, o));
  if (missing >= 0) {
    ctx.log.info(`${c.tool}: ${c.job.source}: not stored: it did not write ${k.outputs[missing]!.path}`);
    return runCounted(ctx, c, k, sink, 'missing-output');
  }
  const traced = ran.trace
    ? await ghcTraced(ran.trace, { own: ran.own, outputs: k.outputs.map((o) => resolve(c.cwd, o.path)), libDir: k.tool.libDir, cwd: c.cwd, env: c.env, files: k.files })
    : { kind: 'unstored' as const, reason: 'trace-incomplete' as const, what: 'no trace' };
  if (traced.kind === 'unstored') {
    ctx.log.info(`${c.tool}: ${c.job.source} in ${c.cwd}: not stored (${traced.reason}): it ${traced.what}`);
    // A file written that the job does not name stayed in the sandbox: the caller needs a run outside.
    if (traced.reason === 'unexpected-output') return runCounted(ctx, c, k, sink, traced.reason);
    ctx.stats.uncacheable(c.tool, traced.reason);
    ctx.why.notStored(rc, k.key, traced.reason);
    return deliver(rc, ran.data, r, sink);
  }
  try {
    const stored = await storeGhcCompile(ctx, c, k, r, traced.learned, ran.data);
    if (typeof stored === 'string') {
      ctx.stats.uncacheable(c.tool, stored);
      ctx.why.notStored(rc, k.key, stored);
    } else {
      ctx.stats.bumpTool(c.tool, 'miss');
      ctx.why.miss(rc, k.key, stored.entry.resultKey);
    }
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`${c.tool}: not stored: ${(e as Error).message}`);
  }
  deliver(rc, ran.data, r, sink);
}

/** A hit compiled again for verify mode: the same clean, sandboxed compile, untraced. */
export async function recompileGhc(ctx: CacheContext, sandbox: Sandbox, c: GhcCall, k: GhcKeyed, signal: AbortSignal): Promise<SandboxRun | string> {
  if (!scratchReady(ctx)) return `cannot create ${ctx.scratchDir}`;
  const ran = await runGhcInSandbox(ctx, sandbox, c, k, false, signal);
  return ran.kind === 'ran' ? { kind: 'ran', outcome: ran.outcome, data: ran.data } : ran;
}

function run(ctx: CacheContext, c: GhcCall, sink: CallSink): Promise<RunOutcome | undefined> {
  return runForCaller(ctx, { tool: c.tool, toolPath: c.toolPath, args: [...c.job.runArgs, ...c.terminalArgs], cwd: c.cwd, env: c.env, umask: c.umask }, sink);
}

/** Runs the compile for the caller, not stored, counting why (or that it failed). */
export async function runCounted(ctx: CacheContext, c: GhcCall, k: GhcKeyed | undefined, sink: CallSink, reason: Reason): Promise<void> {
  const r = await run(ctx, c, sink);
  if (!r) return;
  if (r.code !== 0 || r.signal !== 0) ctx.stats.bumpTool(c.tool, 'tool-failed');
  else {
    ctx.stats.uncacheable(c.tool, reason);
    if (k) ctx.why.notStored(withOutputs(c, k), k.key, reason);
  }
  sink.exit(r.code, r.signal);
}

/** A compile that failed in the sandbox runs outside; if it succeeds there, the sandbox differed. */
async function afterSandboxFailure(ctx: CacheContext, c: GhcCall, k: GhcKeyed, inside: RunOutcome, sink: CallSink): Promise<void> {
  const r = await run(ctx, c, sink);
  if (!r) return;
  if (r.code !== 0 || r.signal !== 0) ctx.stats.bumpTool(c.tool, 'tool-failed');
  else {
    ctx.stats.uncacheable(c.tool, 'sandbox-violation');
    const first = inside.stderr.toString('utf8').split('\n').find((l) => /error/i.test(l)) ?? `exit ${inside.code}`;
    ctx.log.warn(`sandbox-violation: ${c.tool} ${c.job.source} in ${c.cwd} (inside the sandbox: ${first.trim()})`);
    ctx.why.notStored(withOutputs(c, k), k.key, 'sandbox-violation');
  }
  sink.exit(r.code, r.signal);
}

/** The sandboxed compile's outputs, written where the caller's ghc writes them, then its messages and exit. */
function deliver(c: GhcCall & { job: { outputs: ReadonlyArray<{ path: string }> } }, data: Buffer[], r: RunOutcome, sink: CallSink): void {
  c.job.outputs.forEach((o, i) => writeOutput(resolve(c.cwd, o.path), data[i]!, c.umask, true));
  for (let i = 0; i < r.stdout.length; i += 1 << 20) sink.stdout(r.stdout.subarray(i, i + (1 << 20)));
  for (let i = 0; i < r.stderr.length; i += 1 << 20) sink.stderr(r.stderr.subarray(i, i + (1 << 20)));
  sink.exit(r.code, r.signal);
}
