import { resolve } from 'node:path';
import type { GhcUncacheableReason } from '../../adapters/ghc/types.js';
import { emptyByDesign, writeOrder } from '../../adapters/ghc/ghc-outputs.js';
import { sameInterface } from '../../adapters/ghc/same-interface.js';
import type { Sandbox } from '../../exec/create-sandbox.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import { runForCaller } from '../run-for-caller.js';
import { scratchReady } from '../scratch-ready.js';
import { fillEnvLeak } from '../fill-env-leak.js';
import type { RunOutcome } from '../store-compile.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import type { SandboxRun } from '../run-in-sandbox.js';
import { afterSandboxFailure, runCounted } from '../driver/run-counted.js';
import { deliverRun, type DeliveredOutput } from '../driver/deliver-run.js';
import { countStored, type StoreOutcome } from '../driver/count-stored.js';
import type { GhcCall, GhcKeyed } from './ghc-call.js';
import { ghcTraced } from './ghc-trace.js';
import { runGhcInSandbox, type GhcRun } from './run-ghc-in-sandbox.js';
import { storeGhcCompile } from './store-ghc-compile.js';
import { fillGhcRemotely } from './remote-fill-ghc.js';
import { dependentFiles, tmpDirDivergence, withTmpDirKeyed } from './tmp-dir-divergence.js';
import { goesRemote } from '../remote/offer-remote.js';

export type GhcReason = PipelineUncacheableReason | GhcUncacheableReason;

/** What a checked, sandboxed compile of one module came to (compileGhcChecked). */
export type CheckedGhc =
  | { kind: 'no-sandbox'; reason: 'sandbox-unavailable' | 'sandbox-error'; why?: string }
  | { kind: 'failed'; outcome: RunOutcome }
  | { kind: 'unusable'; reason: 'missing-output' | 'unexpected-output' | 'unkeyed-env'; what: string }
  /** Compiled: its outputs, and whether it was stored (undefined: the store failed). */
  | { kind: 'compiled'; outcome: RunOutcome; outputs: DeliveredOutput[]; stored: StoreOutcome | undefined };

/**
 * ghc over the host's read-only view, traced, then stored when the trace allows: the fill's
 * work, without the caller. `onRan` is told once ghc has run in the sandbox.
 */
export async function compileGhcChecked(ctx: CacheContext, c: GhcCall, k: GhcKeyed, signal: AbortSignal, onRan?: () => void, pin?: readonly string[]): Promise<CheckedGhc> {
  if (!ctx.sandbox || !(await ctx.sandbox.status()).ok) return { kind: 'no-sandbox', reason: 'sandbox-unavailable' };
  if (!scratchReady(ctx)) return { kind: 'no-sandbox', reason: 'sandbox-error' };
  const ran = await runGhcInSandbox(ctx, ctx.sandbox, c, k, true, signal, pin);
  if (ran.kind === 'sandbox-error') return { kind: 'no-sandbox', reason: 'sandbox-error', why: ran.why };
  try {
    return await checkRun(ctx, c, k, ran, onRan);
  } finally {
    ran.pinned?.release();
  }
}

async function checkRun(ctx: CacheContext, c: GhcCall, k: GhcKeyed, ran: Extract<GhcRun, { kind: 'ran' }>, onRan?: () => void): Promise<CheckedGhc> {
  const readFrom = ran.pinned?.snapshot;
  onRan?.();
  const r = ran.outcome;
  if (r.code !== 0 || r.signal !== 0) return { kind: 'failed', outcome: r };
  const missing = k.outputs.findIndex((o, i) => ran.data[i]!.length === 0 && !emptyByDesign(c.job, o));
  if (missing >= 0) {
    ctx.log.info(`${c.tool}: ${c.job.source}: not stored: it did not write ${k.outputs[missing]!.path}`);
    return { kind: 'unusable', reason: 'missing-output', what: `did not write ${k.outputs[missing]!.path}` };
  }
  // Outputs that differ from bare ghc's because the fill's $TMPDIR is not the caller's: the caller gets a run outside.
  const recorded = dependentFiles(k, ran.data);
  const diverged = tmpDirDivergence(c, recorded, ran.trace);
  if (diverged !== undefined) {
    ctx.log.info(`${c.tool}: ${c.job.source} in ${c.cwd}: not stored (unkeyed-env): its interface records ${diverged}, which bare ghc leaves out as under its temporary directory`);
    return { kind: 'unusable', reason: 'unkeyed-env', what: `records ${diverged}, under ghc's temporary directory` };
  }
  const traced = ran.trace
    ? await ghcTraced(ran.trace, { own: ran.own, outputs: k.outputs.map((o) => resolve(c.cwd, o.path)), libDir: k.tool.libDir, cwd: c.cwd, source: resolve(c.cwd, c.job.source), artefactSuffixes: [c.job.layout.osuf, c.job.layout.hisuf, c.job.layout.dynosuf, c.job.layout.dynhisuf], env: c.env, files: k.files, ...(readFrom ? { readFrom } : {}) })
    : { kind: 'unstored' as const, reason: 'trace-incomplete' as const, what: 'no trace' };
  const outputs = k.outputs.map((o, i) => ({ path: resolve(c.cwd, o.path), data: ran.data[i]! }));
  if (traced.kind === 'unstored') {
    ctx.log.info(`${c.tool}: ${c.job.source} in ${c.cwd}: not stored (${traced.reason}): it ${traced.what}`);
    // A file written that the job does not name stayed in the sandbox: the caller needs a run outside.
    if (traced.reason === 'unexpected-output') return { kind: 'unusable', reason: traced.reason, what: traced.what };
    return { kind: 'compiled', outcome: r, outputs, stored: traced.reason };
  }
  // A splice put the tracer's own variables into an output: not what bare ghc makes, so the caller gets a run outside.
  const leaked = fillEnvLeak(ran.injected, [r.stdout, r.stderr, ...ran.data]);
  if (leaked !== undefined) {
    ctx.log.info(`${c.tool}: ${c.job.source} in ${c.cwd}: not stored (unkeyed-env): an output holds ${leaked}, which only the fill's environment had`);
    return { kind: 'unusable', reason: 'unkeyed-env', what: `embedded ${leaked}` };
  }
  if (traced.learned.walkedBy) ctx.log.info(`${c.tool}: ${c.job.source} in ${c.cwd}: a splice could walk the environment (${traced.learned.walkedBy}): keyed by all of it`);
  try {
    const stored = await storeGhcCompile(ctx, k, r, withTmpDirKeyed(traced.learned, c, recorded), ran.data, readFrom);
    return { kind: 'compiled', outcome: r, outputs, stored: typeof stored === 'string' ? stored : { resultKey: stored.entry.resultKey } };
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`${c.tool}: not stored: ${(e as Error).message}`);
    return { kind: 'compiled', outcome: r, outputs, stored: undefined };
  }
}

/**
 * The checked fill of a `ghc -c` (compileGhcChecked), and only then is anything given to
 * the caller. Its outputs go to the caller even when they are not stored (they are a clean
 * build's), except when one is missing or the compile wrote a file the job does not name:
 * then the caller gets a run outside. A compile that fails inside runs again outside, and
 * the caller gets exactly that run.
 */
export async function fillGhc(ctx: CacheContext, c: GhcCall, k: GhcKeyed, sink: CallSink): Promise<void> {
  // On an executor when the policy says so (remote-fill-ghc.ts); anything but a proven remote compile fills here.
  const remote = ctx.sandbox && (await ctx.sandbox.status()).ok ? ctx.remote : undefined;
  if (remote !== undefined && goesRemote(remote, sink) && (await fillGhcRemotely(ctx, remote, c, k, sink))) return;
  await sink.slot?.take(); // it compiles here (a split's job may have started without a slot, or lent it)
  const counted = (reason: GhcReason): Promise<void> => runCounted(ctx, c, () => run(ctx, c, sink), sink, reason, k.key);
  const checked = await compileGhcChecked(ctx, c, k, sink.signal, () => sink.ranHidden());
  if (sink.signal.aborted) return sink.abandon();
  switch (checked.kind) {
    case 'no-sandbox':
      if (checked.why) ctx.log.warn(`${c.tool}: sandbox error, compiling outside it: ${checked.why}`);
      return counted(checked.reason);
    case 'failed': {
      const first = checked.outcome.stderr.toString('utf8').split('\n').find((l) => /error/i.test(l)) ?? `exit ${checked.outcome.code}`;
      return afterSandboxFailure(ctx, c, () => run(ctx, c, sink), sink, k.key, () => `${c.tool} ${c.job.source} in ${c.cwd} (inside the sandbox: ${first.trim()})`);
    }
    case 'unusable':
      return counted(checked.reason);
    case 'compiled':
      if (checked.stored !== undefined) countStored(ctx, c, k.key, checked.stored);
      return deliverRun(writeOrder(k.outputs).map((i) => checked.outputs[i]!), checked.outcome, c.umask, sink);
  }
}

/**
 * A hit compiled again for verify mode: the same clean, sandboxed compile, untraced. Its
 * interfaces compare by what they promise (same-interface.ts): a hit served by per-name
 * cutoff records the ABI hashes its imports had when it was compiled, a fresh compile
 * today's. Objects compare byte for byte.
 */
export async function recompileGhc(ctx: CacheContext, sandbox: Sandbox, c: GhcCall, k: GhcKeyed, signal: AbortSignal): Promise<SandboxRun | string> {
  if (!scratchReady(ctx)) return `cannot create ${ctx.scratchDir}`;
  const ran = await runGhcInSandbox(ctx, sandbox, c, k, false, signal);
  if (ran.kind !== 'ran') return ran;
  const same = (i: number, cached: Buffer, fresh: Buffer): boolean => {
    const role = k.outputs[i]?.role;
    return role === 'hi' || role === 'dyn-hi' ? sameInterface(cached, fresh) : cached.equals(fresh);
  };
  return { kind: 'ran', outcome: ran.outcome, data: ran.data, same };
}

function run(ctx: CacheContext, c: GhcCall, sink: CallSink): Promise<RunOutcome | undefined> {
  return runForCaller(ctx, { tool: c.tool, toolPath: c.toolPath, args: [...c.job.runArgs, ...c.terminalArgs], cwd: c.cwd, env: c.env, umask: c.umask }, sink);
}

/** Runs the compile for the caller, not stored, counting why (or that it failed). */
export function runGhcUncached(ctx: CacheContext, c: GhcCall, sink: CallSink, reason: GhcReason | 'cache-disabled'): Promise<void> {
  return runCounted(ctx, c, () => run(ctx, c, sink), sink, reason);
}
