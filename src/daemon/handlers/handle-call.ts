import { isAbsolute } from 'node:path';
import { selectAdapter } from '../../adapters/select-adapter.js';
import { makeInvocation } from '../../adapters/make-invocation.js';
import { PIPELINES, type LanguageRow } from '../../pipeline/driver/pipelines.js';
import type { CompilePlan, Invocation, Language } from '../../adapters/types.js';
import type { CallSink, CallSlot } from '../../pipeline/call-sink.js';
import { ClientCapability, FrameKind, type Call } from '../../protocol/frames.js';
import type { PassThroughReason } from '../../stats/stat-names.js';
import type { DaemonContext } from '../daemon-context.js';
import type { Responder } from '../responder.js';
import { withShimSkip } from '../../runtime/shim-skip-env.js';
import { handleGoCall } from './handle-go-call.js';
import { handleGoToolCall } from './handle-go-tool-call.js';
import { goToolOf } from '../../adapters/go/parse-go-tool.js';
import { inCallSlot } from './in-call-slot.js';
import { basename } from 'node:path';

/** One compiler call: plan it with its adapter, then decline it, or serve it through the cache. */
export async function handleCall(ctx: DaemonContext, call: Call, out: Responder): Promise<void> {
  const done = ctx.cache.tickets?.busy(); // tickets wait while calls come
  try {
    await ctx.calls.track(call, () => serveCall(ctx, call, out)); // the dashboard's and `reprise trace`'s record of it
  } finally {
    done?.();
  }
}

async function serveCall(ctx: DaemonContext, call: Call, out: Responder): Promise<void> {
  const tool = call.shimName;
  // A Go tool through -toolexec (the go shim's GOFLAGS): counted under `go`.
  const goTool = isAbsolute(call.toolPath) && basename(call.toolPath) === tool ? goToolOf(call.toolPath) : undefined;
  if (goTool) return handleGoToolCall(ctx, call, out, goTool);
  ctx.stats.bumpTool(tool, 'calls');
  const decline = (reason: PassThroughReason): void => {
    ctx.stats.passThrough(tool, reason);
    out.send({ kind: FrameKind.DECLINE, reason });
  };

  if (ctx.isDraining()) return decline('draining');
  if (call.argv.length === 0 || !isAbsolute(call.cwd) || !isAbsolute(call.toolPath)) return decline('bad-call');
  if (tool === 'go') return handleGoCall(ctx, call, out);
  const adapter = selectAdapter(tool);
  if (!adapter) return decline('unsupported-tool');
  const inv = makeInvocation(call);
  const plan = adapter.plan(inv);
  if (plan.kind === 'decline') return decline(plan.reason);
  if (plan.kind === 'uncacheable') {
    ctx.stats.uncacheable(tool, plan.reason);
    out.send({ kind: FrameKind.DECLINE, reason: plan.reason });
    return;
  }

  await serveInSlot(ctx, plan, inv, out, decline);
}

async function serveInSlot(ctx: DaemonContext, plan: CompilePlan<Language>, inv: Invocation, out: Responder, decline: (reason: PassThroughReason) => void): Promise<void> {
  const served = await inCallSlot(ctx, out.signal, plan.language === 'c', (slot) => serveWith(ctx, plan, inv, out, decline, slot));
  if (served === 'busy' && !out.signal.aborted) decline('daemon-busy');
}

async function serveWith(ctx: DaemonContext, plan: CompilePlan<Language>, inv: Invocation, out: Responder, decline: (reason: PassThroughReason) => void, slot: CallSlot): Promise<void> {
  const tool = inv.call.shimName;
  let ran = false;
  const sink: CallSink = {
    signal: out.signal,
    started: (pgid) => {
      ran = true;
      out.send({ kind: FrameKind.STARTED, pgid });
    },
    ranHidden: () => {
      ran = true;
    },
    running: (pgid, writes) => {
      if ((out.clientCaps & ClientCapability.RUNNING) !== 0) out.send({ kind: FrameKind.RUNNING, pgid, writes: [...writes] });
    },
    stdout: (data) => out.send({ kind: FrameKind.STDOUT, data }),
    stderr: (data) => out.send({ kind: FrameKind.STDERR, data }),
    exit: (code, signal) => {
      if (ran) ctx.stats.bumpTool(tool, 'daemon-run');
      out.send({ kind: FrameKind.EXIT, exit: { code, signal } });
    },
    abandon: () => {
      ctx.stats.bumpDaemon('executor-lost');
      out.abort();
    },
    decline,
    slot,
  };
  await serveCompile(ctx, plan, inv, sink);
}

/** A planned compile, served by its language's pipeline (src/pipeline/driver/pipelines.ts). */
async function serveCompile<L extends Language>(ctx: DaemonContext, plan: CompilePlan<L>, inv: Invocation, sink: CallSink): Promise<void> {
  const call = inv.call;
  const row: LanguageRow<L> = PIPELINES[plan.language];
  // Hits the shims replayed first: `reprise why` must see them before this compile.
  if (row.shimHitsFirst) ctx.ingestShimLogs();
  const base = { tool: call.shimName, toolPath: call.toolPath, cwd: call.cwd, keyCwd: inv.logicalCwd, umask: call.umask, env: withShimSkip(new Map(inv.env), call.toolPath) };
  const slots = { max: ctx.config.maxJobs, acquire: (signal: AbortSignal) => ctx.jobs.acquire(ctx.config.queueTimeoutMs, AbortSignal.any([signal, sink.signal])) };
  await row.serve(ctx.cache, plan, base, call, sink, ctx.config.cache, slots);
}
