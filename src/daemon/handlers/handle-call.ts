import { isAbsolute } from 'node:path';
import { selectAdapter } from '../../adapters/select-adapter.js';
import { makeInvocation } from '../../adapters/make-invocation.js';
import { cachedCompile, compileUncached } from '../../pipeline/cached-compile.js';
import { cachedRustCompile, compileRustUncached } from '../../pipeline/rust/cached-rust-compile.js';
import type { CallSink } from '../../pipeline/call-sink.js';
import { FrameKind, type Call } from '../../protocol/frames.js';
import type { PassThroughReason } from '../../stats/stat-names.js';
import type { DaemonContext } from '../daemon-context.js';
import type { Responder } from '../responder.js';
import { ticketPayload } from '../../tickets/ticket-payload.js';
import { withShimSkip } from '../../runtime/shim-skip-env.js';
import { handleGoCall } from './handle-go-call.js';
import { handleGoToolCall } from './handle-go-tool-call.js';
import { goToolOf } from '../../adapters/go/parse-go-tool.js';
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

  const release = await ctx.jobs.acquire(ctx.config.queueTimeoutMs, out.signal);
  if (!release) {
    if (!out.signal.aborted) decline('daemon-busy');
    return;
  }
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
  };
  try {
    if (plan.kind === 'rust-compile') {
      const rust = { tool, toolPath: call.toolPath, cwd: call.cwd, keyCwd: inv.logicalCwd, umask: call.umask, env: withShimSkip(new Map(inv.env), call.toolPath), job: plan.job, terminalArgs: plan.terminalArgs };
      if (!ctx.config.cache) return await compileRustUncached(ctx.cache, rust, sink, 'cache-disabled');
      return await cachedRustCompile(ctx.cache, rust, sink);
    }
    // Hits the shims replayed first: `reprise why` must see them before this compile.
    ctx.ingestShimLogs();
    const compile = { tool, toolPath: call.toolPath, cwd: call.cwd, keyCwd: inv.logicalCwd, umask: call.umask, env: withShimSkip(new Map(inv.env), call.toolPath), job: plan.job, terminalArgs: plan.terminalArgs, ticket: call.argv.some((a) => a.startsWith('@')) ? undefined : memo(() => ticketPayload(call)) }; // a response file is read: no ticket
    if (!ctx.config.cache) return await compileUncached(ctx.cache, compile, sink, 'cache-disabled');
    await cachedCompile(ctx.cache, compile, sink);
  } finally {
    release();
  }
}

/** Computes once, when first asked (most calls never need their ticket payload). */
function memo<T>(f: () => T): () => T {
  let v: { value: T } | undefined;
  return () => (v ??= { value: f() }).value;
}
