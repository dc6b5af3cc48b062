import { rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { directKeyFor } from './direct-key-for.js';
import type { BuiltKey } from '../keying/key-builder.js';
import type { CacheContext } from './cache-context.js';
import type { CallSink } from './call-sink.js';
import { matchManifest } from './manifest.js';
import { jobOutputs, placeOutputs } from './place-outputs.js';
import { replay } from './replay.js';
import { storeCompile, type Keyed, type RunOutcome } from './store-compile.js';
import type { CompileJob } from './types.js';
import type { PipelineUncacheableReason } from './uncacheable-reasons.js';

const START_MARGIN_MS = 10;

/** When a compile's inputs must stay unchanged from: file times come from the kernel's coarse clock, a few ms behind, so start early. */
function windowStartNs(): bigint {
  return BigInt(Date.now() - START_MARGIN_MS) * 1_000_000n;
}

export interface CompileCall {
  tool: string;
  toolPath: string;
  /** Where the compiler runs (getcwd). */
  cwd: string;
  /** The directory it records in its outputs ($PWD when that names cwd): the key's cwd. */
  keyCwd: string;
  umask: number;
  env: Map<string, string>;
  job: CompileJob;
  terminalArgs: string[];
}

/**
 * One cacheable compile, start to end (ccache's do_cache_compilation is the model):
 * identify the tool → digest the source → direct key → manifest → result → replay;
 * otherwise compile once per key at a time, learn the inputs from the depfile, and store.
 * Every early exit names a statistic. A store failure never fails the call.
 */
export async function cachedCompile(ctx: CacheContext, c: CompileCall, sink: CallSink): Promise<void> {
  const keyed = await directKeyFor(ctx, c);
  if (keyed.kind === 'uncacheable') return compileUncached(ctx, c, sink, keyed.reason);
  const direct = keyed.key;
  await ctx.flight(direct.key, async () => {
    if (await tryHit(ctx, c, direct, sink)) return;
    await compileAndStore(ctx, c, { ...direct, rebase: keyed.rebase }, sink);
  });
}

async function tryHit(ctx: CacheContext, c: CompileCall, direct: BuiltKey, sink: CallSink): Promise<boolean> {
  try {
    const manifest = await ctx.manifests.get(direct.key);
    if (!manifest) return false;
    const resultKey = await matchManifest(manifest, ctx.files, { cwd: c.cwd, pwd: c.keyCwd });
    if (!resultKey) return false;
    const result = await ctx.actions.get(resultKey);
    if (!result || result.outputs.length !== jobOutputs(c.job).length) return false;
    if (!(await replay(result, ctx.cas, ctx.algorithm, placeOutputs(c), c.umask, sink))) return false;
    ctx.stats.bumpTool(c.tool, 'direct-hit');
    ctx.stats.bumpCache('time-saved-ms', result.durationMs);
    ctx.why.hit(c, direct, resultKey); // queued: written after the reply
    return true;
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`lookup failed, compiling: ${(e as Error).message}`);
    return false;
  }
}

/**
 * Runs the compiler through the executor, streaming to the caller and keeping a copy.
 * Undefined when there is no outcome; the caller has then been answered already.
 */
async function run(ctx: CacheContext, c: CompileCall, args: string[], sink: CallSink): Promise<RunOutcome | undefined> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const startedAtNs = windowStartNs();
  const t0 = performance.now();
  const r = await ctx.executor.run({
    toolPath: c.toolPath, argv0: c.toolPath, args, cwd: c.cwd, env: c.env, umask: c.umask, signal: sink.signal,
    onStarted: (pgid) => sink.started(pgid),
    onStdout: (d) => (out.push(d), sink.stdout(d)),
    onStderr: (d) => (err.push(d), sink.stderr(d)),
  });
  if (r.kind === 'lost') {
    sink.abandon();
    return undefined;
  }
  if (r.kind === 'spawn-failed') {
    ctx.log.warn(`${c.tool}: cannot run ${c.toolPath}: ${r.error}`);
    sink.decline('spawn-failed');
    return undefined;
  }
  return { code: r.code, signal: r.signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), startedAtNs, durationMs: Math.round(performance.now() - t0) };
}

/**
 * The dependency-only pre-pass of an -MMD compile: the same arguments with -M, so the full
 * list (system headers included) lands in a private file. Its output is not the caller's.
 */
async function depScan(ctx: CacheContext, c: CompileCall, args: string[], depfile: string, signal: AbortSignal): Promise<{ ok: boolean; startedAtNs: bigint }> {
  const startedAtNs = windowStartNs();
  const r = await ctx.executor.run({
    toolPath: c.toolPath, argv0: c.toolPath, args: [...args, '-M', '-MF', depfile], cwd: c.cwd, env: c.env, umask: c.umask, signal,
    onStarted: () => undefined, onStdout: () => undefined, onStderr: () => undefined,
  });
  return { ok: r.kind === 'exited' && r.code === 0 && r.signal === 0, startedAtNs };
}

/** Runs the compile without storing anything, counting why. */
export async function compileUncached(ctx: CacheContext, c: CompileCall, sink: CallSink, reason: PipelineUncacheableReason): Promise<void> {
  ctx.stats.uncacheable(c.tool, reason);
  await runPlain(ctx, c, sink);
}

async function runPlain(ctx: CacheContext, c: CompileCall, sink: CallSink): Promise<void> {
  const r = await run(ctx, c, [...c.job.runArgs, ...c.terminalArgs], sink);
  if (!r) return;
  if (r.code !== 0) ctx.stats.bumpTool(c.tool, 'tool-failed');
  sink.exit(r.code, r.signal);
}

/** The scratch directory may have been deleted under us (the cache removed by hand): make it again. */
function scratchReady(ctx: CacheContext): boolean {
  try {
    mkdirSync(ctx.scratchDir, { recursive: true, mode: 0o700 });
    return true;
  } catch (e) {
    ctx.log.warn(`cannot create ${ctx.scratchDir}: ${(e as Error).message}; compiling without storing`);
    return false;
  }
}

async function compileAndStore(ctx: CacheContext, c: CompileCall, direct: Keyed, sink: CallSink): Promise<void> {
  const abs = (p: string): string => resolve(c.cwd, p);
  // Learn every file the compiler read from a depfile: the caller's, a private one, or
  // (when the caller's leaves system headers out) a private one from a -M pre-pass.
  const scan = c.job.depScanArgs;
  const ownDepfile = c.job.depfile && !scan ? undefined : join(ctx.scratchDir, `${randomBytes(8).toString('hex')}.d`);
  // A private depfile gcc cannot write would fail the compile: never risk that.
  if (ownDepfile && !scratchReady(ctx)) {
    ctx.stats.bumpCache('store-error');
    return runPlain(ctx, c, sink);
  }
  const depArgs = ownDepfile && !scan ? ['-MD', '-MF', ownDepfile] : [];
  const scanned = scan && ownDepfile ? await depScan(ctx, c, scan, ownDepfile, sink.signal) : undefined;
  const r = await run(ctx, c, [...c.job.runArgs, ...c.terminalArgs, ...depArgs], sink);
  try {
    if (!r) return;
    if (r.code !== 0 || r.signal !== 0) {
      ctx.stats.bumpTool(c.tool, 'tool-failed'); // failed compiles are not stored
      return;
    }
    if (scanned) r.startedAtNs = scanned.startedAtNs; // inputs must be unchanged since the pre-pass read them
    const stored = scan && !scanned?.ok ? 'dep-scan-failed' : await storeCompile(ctx, c, direct, r, ownDepfile ?? abs(c.job.depfile!.path));
    if (typeof stored === 'string') {
      ctx.stats.uncacheable(c.tool, stored);
      ctx.why.notStored(c, direct, stored);
    } else {
      ctx.stats.bumpTool(c.tool, 'miss');
      ctx.why.miss(c, direct, stored.resultKey);
    }
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`${c.tool}: not stored: ${(e as Error).message}`);
  } finally {
    if (ownDepfile) await rm(ownDepfile, { force: true }).catch(() => undefined);
    if (r) sink.exit(r.code, r.signal);
  }
}
