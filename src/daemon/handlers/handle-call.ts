import { isAbsolute } from 'node:path';
import { selectAdapter } from '../../adapters/select-adapter.js';
import type { Invocation } from '../../adapters/types.js';
import { FrameKind, type Call } from '../../protocol/frames.js';
import type { PassThroughReason } from '../../stats/stat-names.js';
import type { DaemonContext } from '../daemon-context.js';
import type { Responder } from '../responder.js';

/** One compiler call: plan it with its adapter, then decline or run the tool and stream the result. */
export async function handleCall(ctx: DaemonContext, call: Call, out: Responder): Promise<void> {
  const tool = call.shimName;
  ctx.stats.bumpTool(tool, 'calls');
  const decline = (reason: PassThroughReason): void => {
    ctx.stats.passThrough(tool, reason);
    out.send({ kind: FrameKind.DECLINE, reason });
  };

  if (ctx.isDraining()) return decline('draining');
  if (call.argv.length === 0 || !isAbsolute(call.cwd) || !isAbsolute(call.toolPath)) return decline('bad-call');
  const adapter = selectAdapter(tool);
  if (!adapter) return decline('unsupported-tool');
  const inv: Invocation = { call, env: envMap(call.env) };
  const plan = adapter.plan(inv);
  if (plan.kind === 'decline') return decline(plan.reason);

  const release = await ctx.jobs.acquire(ctx.config.queueTimeoutMs, out.signal);
  if (!release) {
    if (!out.signal.aborted) decline('daemon-busy');
    return;
  }
  try {
    const result = await ctx.executor.run({
      toolPath: call.toolPath,
      argv0: call.toolPath,
      args: plan.args,
      cwd: call.cwd,
      env: plan.env,
      umask: call.umask,
      signal: out.signal,
      onStarted: (pgid) => out.send({ kind: FrameKind.STARTED, pgid }),
      onStdout: (data) => out.send({ kind: FrameKind.STDOUT, data }),
      onStderr: (data) => out.send({ kind: FrameKind.STDERR, data }),
    });
    if (result.kind === 'spawn-failed') {
      ctx.log.warn(`${tool}: cannot run ${call.toolPath}: ${result.error}`);
      return decline('spawn-failed');
    }
    if (result.kind === 'lost') {
      ctx.stats.bumpDaemon('executor-lost');
      return out.abort();
    }
    ctx.stats.bumpTool(tool, 'daemon-run');
    if (result.code !== 0) ctx.stats.bumpTool(tool, 'tool-failed');
    out.send({ kind: FrameKind.EXIT, exit: { code: result.code, signal: result.signal } });
  } finally {
    release();
  }
}

function envMap(list: readonly string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue; // getenv cannot see such entries either
    const name = entry.slice(0, eq);
    if (!env.has(name)) env.set(name, entry.slice(eq + 1));
  }
  return env;
}
