import { readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { DirectKeyed } from './direct-key-for.js';
import type { CacheContext } from './cache-context.js';
import type { CallSink } from './call-sink.js';
import { offerCTicket, type TicketKey } from '../tickets/offer-c-ticket.js';
import { jobOutputs } from './place-outputs.js';
import { storeCompile, type Keyed, type RunOutcome } from './store-compile.js';
import { learnInputs, type Learned } from './learn-inputs.js';
import { learnTraced } from './learn-traced.js';
import { runInSandbox, type SandboxRun } from './run-in-sandbox.js';
import { undeclaredReads } from './undeclared-reads.js';
import { runForCaller } from './run-for-caller.js';
import { goesRemote } from './remote/offer-remote.js';
import { fillRemotely } from './remote-fill-c.js';
import { scratchReady } from './scratch-ready.js';
import { windowStartNs } from './window-start-ns.js';
import type { Sandbox } from '../exec/create-sandbox.js';
import type { CompileJob } from './types.js';
import type { PipelineUncacheableReason } from './uncacheable-reasons.js';
import { afterSandboxFailure, runCounted } from './driver/run-counted.js';
import { deliverRun } from './driver/deliver-run.js';
import { countStored } from './driver/count-stored.js';
import type { CallBase } from './driver/call-base.js';

/** One cacheable C or C++ call (keyCwd, the directory gcc records in its outputs, is the key's cwd). */
export interface CompileCall extends CallBase {
  job: CompileJob;
  terminalArgs: string[];
  /** The bytes a hit ticket for this call is matched on (ticket-payload.ts); undefined when it may have none. */
  ticket?: () => Buffer;
}

/**
 * A C or C++ miss (the C pipeline's fill, c-pipeline.ts), inside its key's flight: the call's
 * ticket, if any, no longer holds; the compile runs once, checked in the sandbox (or in
 * place when it is off), its inputs learned from the depfile, and it is stored and answered.
 * Every early exit names a statistic. A store failure never fails the call.
 */
export async function fillCompile(ctx: CacheContext, c: CompileCall, keyed: DirectKeyed, sink: CallSink): Promise<void> {
  if (c.ticket) ctx.tickets?.withdraw(c.ticket); // its ticket, if any, no longer holds
  const ticket: TicketKey = { key: keyed.key, tool: keyed.tool, sourceDigest: keyed.sourceDigest, ...(keyed.distinctDirs ? { distinctDirs: keyed.distinctDirs } : {}) };
  await compileAndStore(ctx, c, { ...keyed.key, rebase: keyed.rebase, ticket }, sink);
}

/** Runs the compiler for the caller with these arguments (runForCaller). */
function run(ctx: CacheContext, c: CompileCall, args: string[], sink: CallSink): Promise<RunOutcome | undefined> {
  return runForCaller(ctx, { tool: c.tool, toolPath: c.toolPath, args, cwd: c.cwd, env: c.env, umask: c.umask }, sink);
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

/** A fill's key, with what a ticket for its call needs. */
export type FillKey = Keyed & { ticket: TicketKey };

async function compileAndStore(ctx: CacheContext, c: CompileCall, direct: FillKey, sink: CallSink): Promise<void> {
  const sandbox = ctx.sandbox;
  const status = sandbox ? await sandbox.status() : undefined;
  const remote = sandbox && status?.ok ? ctx.remote : undefined;
  // On an executor when the policy says so (remote-fill-c.ts); anything but a good remote compile fills here.
  const offered = remote !== undefined && goesRemote(remote, sink);
  if (offered && (await fillRemotely(ctx, remote, sandbox!, c, direct, sink))) return;
  if (sink.slot && !sink.slot.held()) {
    // A call that started without a local slot (handle-call.ts) compiles here in one. Having
    // waited for it, it asks again: calls queued behind it may make sending it the better choice.
    await sink.slot.take();
    if (!offered && remote !== undefined && goesRemote(remote, sink) && (await fillRemotely(ctx, remote, sandbox!, c, direct, sink))) return;
  }
  if (!sandbox) return compileUnsandboxed(ctx, c, direct, sink);
  if (!status!.ok) return runCounted(ctx, c, callerRun(ctx, c, sink), sink, 'sandbox-unavailable', direct);
  return compileSandboxed(ctx, sandbox, c, direct, sink);
}

/**
 * The checked fill: the compile runs over the host's read-only file system with the lookup
 * tracer preloaded, and only then is anything stored or given to the caller. Its own
 * depfile (or a -M pre-pass, when it cannot list its inputs itself) says what it read, and
 * the trace must show that the key covers every question it asked (trace-coverage.ts);
 * otherwise its outputs, which are what the compile gives outside, go to the caller and
 * nothing is stored. A compile that fails inside runs again outside, and the caller gets
 * exactly that run: when it succeeds there, the sandbox differed (sandbox-violation).
 */
async function compileSandboxed(ctx: CacheContext, sandbox: Sandbox, c: CompileCall, direct: FillKey, sink: CallSink): Promise<void> {
  const fill = await runSandboxedFill(ctx, sandbox, c, sink.signal, false);
  if (fill.kind === 'no-scratch') {
    ctx.stats.bumpCache('store-error');
    return runPlain(ctx, c, sink);
  }
  if (fill.kind === 'not-learned') return runCounted(ctx, c, callerRun(ctx, c, sink), sink, fill.reason, direct);
  const ran = fill.run;
  if (ran.kind === 'ran') sink.ranHidden();
  if (sink.signal.aborted) return sink.abandon();
  if (ran.kind === 'sandbox-error') {
    ctx.log.warn(`${c.tool}: sandbox error, compiling outside it: ${ran.why}`);
    return runCounted(ctx, c, callerRun(ctx, c, sink), sink, 'sandbox-error', direct);
  }
  const r = ran.outcome;
  if (r.code !== 0 || r.signal !== 0) return afterSandboxFailure(ctx, c, callerRun(ctx, c, sink), sink, direct, () => violation(c, r));
  return storeAndDeliver(ctx, c, direct, r, ran.data, fill.unstored ?? fill.learned, { sandboxed: true }, sink);
}

/**
 * The tail of a fill whose outputs the caller did not see yet (the sandbox's, an executor's):
 * stored when its inputs were learned (else counted under why not), written where the caller
 * asked, answered, and a ticket left so the next identical call may be replayed by the shim.
 */
export async function storeAndDeliver(ctx: CacheContext, c: CompileCall, direct: FillKey, r: RunOutcome, data: Buffer[], learned: Learned | PipelineUncacheableReason | undefined, opts: { sandboxed: boolean; executor?: string }, sink: CallSink): Promise<void> {
  let stored: Awaited<ReturnType<typeof storeCompile>> | undefined = typeof learned === 'string' ? learned : undefined;
  if (learned !== undefined && typeof learned !== 'string') {
    try {
      stored = await storeCompile(ctx, c, direct, r, learned, { data, ...opts, signal: sink.signal });
    } catch (e) {
      ctx.stats.bumpCache('store-error');
      ctx.log.warn(`${c.tool}: not stored: ${(e as Error).message}`);
    }
  }
  if (stored) countStored(ctx, c, direct, typeof stored === 'string' ? stored : stored.entry);
  // What it found is what the next misses in its directory are sent to a tracing executor with.
  if (ctx.remote && learned !== undefined && typeof learned !== 'string') ctx.remote.guesses.learn(c, learned);
  const paths = jobOutputs(c.job).map((o) => resolve(c.cwd, o.path));
  deliverRun(paths.map((path, i) => ({ path, data: data[i]! })), r, c.umask, sink);
  // The next identical call may be replayed by the shim: a rebuild after a cold build is served so too.
  if (stored && typeof stored !== 'string') offerCTicket(ctx, c, direct.ticket, stored.entry, stored.result, { outputs: data, paths, stdout: r.stdout, stderr: r.stderr, exitCode: 0 });
}

type SandboxedFill =
  | { kind: 'no-scratch' }
  /** Nothing ran: the inputs could not be listed. */
  | { kind: 'not-learned'; reason: PipelineUncacheableReason }
  /** It ran; learned when it succeeded and its inputs are known; unstored when its outputs are right for the caller but must not be stored. */
  | { kind: 'ran'; run: SandboxRun; learned?: Learned; unstored?: PipelineUncacheableReason };

/**
 * The compile over the host's view, listing what it reads itself (its -MD depfile, or one
 * added) or after a -M pre-pass, and traced (fills and verify mode share it; verify runs
 * untraced and stores nothing).
 */
async function runSandboxedFill(ctx: CacheContext, sandbox: Sandbox, c: CompileCall, signal: AbortSignal, verify: boolean): Promise<SandboxedFill> {
  if (!scratchReady(ctx)) return { kind: 'no-scratch' };
  if (!(await ctx.driverRunsInside(c.toolPath, c.env))) return { kind: 'not-learned', reason: 'driver-fails-in-sandbox' };
  const lists = c.job.listsInputs;
  let startedAtNs = windowStartNs();
  let depText: string | undefined;
  if (!lists && !verify) {
    const depfile = join(ctx.scratchDir, `${randomBytes(8).toString('hex')}.d`);
    try {
      const scanned = await depScan(ctx, c, c.job.scanArgs, depfile, signal);
      if (!scanned.ok) return { kind: 'not-learned', reason: 'dep-scan-failed' };
      startedAtNs = scanned.startedAtNs;
      depText = await readFile(depfile, 'utf8').catch(() => undefined);
      if (depText === undefined) return { kind: 'not-learned', reason: 'no-depfile' };
    } finally {
      await rm(depfile, { force: true }).catch(() => undefined);
    }
  }
  const run = await runInSandbox(ctx, sandbox, c, { depfile: lists === 'added', trace: !verify }, startedAtNs, signal);
  if (run.kind !== 'ran' || run.outcome.code !== 0 || run.outcome.signal !== 0 || verify) return { kind: 'ran', run };
  const own = lists === 'caller' ? run.data[run.data.length - 1] : run.depfile;
  const text = depText ?? own?.toString('utf8');
  if (text === undefined) return { kind: 'ran', run, unstored: 'no-depfile' };
  const taught = await learnTraced(ctx, c, text, run.trace, run.scratchRoots ?? []);
  return taught.kind === 'learned' ? { kind: 'ran', run, learned: taught.learned } : { kind: 'ran', run, ...(taught.learned ? { learned: taught.learned } : {}), unstored: taught.reason };
}

/** A hit compiled again for verify mode: the bare compiler over the host's view, untraced. */
export async function recompileC(ctx: CacheContext, sandbox: Sandbox, c: CompileCall, signal: AbortSignal): Promise<SandboxRun | string> {
  const fill = await runSandboxedFill(ctx, sandbox, c, signal, true);
  return fill.kind === 'no-scratch' ? `cannot create ${ctx.scratchDir}` : fill.kind === 'not-learned' ? fill.reason : fill.run;
}

/** The caller's run of the compile, outside the sandbox, as it asked for it. */
function callerRun(ctx: CacheContext, c: CompileCall, sink: CallSink): () => Promise<RunOutcome | undefined> {
  return () => run(ctx, c, [...c.job.runArgs, ...c.terminalArgs], sink);
}

/** What a fill that failed inside and succeeded outside read, for the sandbox-violation warning. */
function violation(c: CompileCall, inside: RunOutcome): string {
  const reads = undeclaredReads(inside.stderr, c.cwd, []); // a failed fill learned no inputs: every file its messages name
  const first = inside.stderr.toString('utf8').split('\n').find((l) => /error/i.test(l)) ?? `exit ${inside.code}`;
  return `${c.tool} ${c.job.source} in ${c.cwd} read ${reads.length > 0 ? reads.join(', ') : 'an undeclared file'} (inside the sandbox: ${first.trim()})`;
}

/** REPRISE_SANDBOX=off: the compiler runs in place and its own depfile lists the inputs; results are marked unsandboxed. */
async function compileUnsandboxed(ctx: CacheContext, c: CompileCall, direct: Keyed, sink: CallSink): Promise<void> {

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
    const learned = scan && !scanned?.ok ? 'dep-scan-failed' : await learnInputs(ctx, c, ownDepfile ?? abs(c.job.depfile!.path));
    const stored = typeof learned === 'string' ? learned : await storeCompile(ctx, c, direct, r, learned, { sandboxed: false, signal: sink.signal });
    countStored(ctx, c, direct, typeof stored === 'string' ? stored : stored.entry);
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`${c.tool}: not stored: ${(e as Error).message}`);
  } finally {
    if (ownDepfile) await rm(ownDepfile, { force: true }).catch(() => undefined);
    if (r) sink.exit(r.code, r.signal);
  }
}
