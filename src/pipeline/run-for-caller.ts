import type { CacheContext } from './cache-context.js';
import type { CallSink } from './call-sink.js';
import type { RunOutcome } from './store-compile.js';
import { windowStartNs } from './window-start-ns.js';

/** A tool run the caller sees as it happens (not sandboxed). */
export interface CallerRun {
  tool: string;
  toolPath: string;
  args: string[];
  cwd: string;
  env: Map<string, string>;
  umask: number;
}

/**
 * Runs a tool through the executor, streaming to the caller and keeping a copy.
 * Undefined when there is no outcome; the caller has then been answered already
 * (the executor lost, or the tool could not be spawned).
 */
export async function runForCaller(ctx: Pick<CacheContext, 'executor' | 'log'>, run: CallerRun, sink: CallSink): Promise<RunOutcome | undefined> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const startedAtNs = windowStartNs();
  const t0 = performance.now();
  const r = await ctx.executor.run({
    toolPath: run.toolPath, argv0: run.toolPath, args: run.args, cwd: run.cwd, env: run.env, umask: run.umask, signal: sink.signal,
    onStarted: (pgid) => sink.started(pgid),
    onStdout: (d) => (out.push(d), sink.stdout(d)),
    onStderr: (d) => (err.push(d), sink.stderr(d)),
  });
  if (r.kind === 'lost') {
    sink.abandon();
    return undefined;
  }
  if (r.kind === 'spawn-failed') {
    ctx.log.warn(`${run.tool}: cannot run ${run.toolPath}: ${r.error}`);
    sink.decline('spawn-failed');
    return undefined;
  }
  return { code: r.code, signal: r.signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), startedAtNs, durationMs: Math.round(performance.now() - t0) };
}
