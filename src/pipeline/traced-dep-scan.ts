import { closeSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseLookupTrace, type LookupTrace } from '../exec/parse-lookup-trace.js';
import type { Sandbox } from '../exec/create-sandbox.js';
import { runOnHost } from '../exec/run-on-host.js';
import { installPaths } from '../runtime/install-paths.js';
import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';
import { windowStartNs } from './window-start-ns.js';

export type TracedScan =
  | { kind: 'scanned'; depText: string; trace: LookupTrace; scratchRoots: string[]; startedAtNs: bigint }
  | { kind: 'failed'; why: string };

/** One dependency pre-pass to run traced: its program, its arguments given the depfile it must write, and where. */
export interface ScanRun {
  toolPath: string;
  args(depfile: string): string[];
  cwd: string;
  /** Its environment; the tracer's preload and file are added to a copy. */
  env: ReadonlyMap<string, string>;
  umask: number;
}

/**
 * A dependency-only pre-pass over the host's read-only view with the lookup tracer preloaded,
 * as runInSandbox runs a fill: what it lists and what it looked up (present and absent) are
 * the host's answers to every question the compile asks, which a remote compile must then be
 * given. C's (below) and rustc's (remote-fill-rust.ts) differ only in their arguments.
 */
export async function tracedScan(ctx: CacheContext, sandbox: Sandbox, run: ScanRun, signal: AbortSignal): Promise<TracedScan> {
  const tag = randomBytes(8).toString('hex');
  const depfile = join(sandbox.scratchDir, `${tag}-scan.d`);
  const traceFile = join(sandbox.scratchDir, `${tag}-scan-trace`);
  const startedAtNs = windowStartNs();
  try {
    sandbox.ensureScratch();
    for (const f of [depfile, traceFile]) closeSync(openSync(f, 'wx', 0o600));
    const env = new Map(run.env);
    const preload = env.get('LD_PRELOAD');
    env.set('LD_PRELOAD', preload ? `${installPaths.lookupTrace}:${preload}` : installPaths.lookupTrace);
    env.set('REPRISE_TRACE', traceFile);
    const r = await runOnHost({ sandbox, toolPath: run.toolPath, args: run.args(depfile), cwd: run.cwd, env, umask: run.umask, outputs: [], signal, log: ctx.log });
    if (r.kind !== 'ran') return { kind: 'failed', why: r.kind === 'sandbox-error' ? r.why : 'no overlay' };
    if (r.code !== 0 || r.signal !== 0) return { kind: 'failed', why: `the pre-pass exited ${r.code}: ${r.stderr.toString('utf8').slice(0, 200)}` };
    return { kind: 'scanned', depText: readFileSync(depfile, 'utf8'), trace: parseLookupTrace(readFileSync(traceFile)), scratchRoots: [sandbox.scratchDir], startedAtNs };
  } catch (e) {
    return { kind: 'failed', why: (e as Error).message };
  } finally {
    for (const f of [depfile, traceFile]) {
      try {
        unlinkSync(f);
      } catch {
        // already gone, or never made
      }
    }
  }
}

/** A C or C++ compile's pre-pass: its scan arguments with `-M -MF FILE` (c-remote-fill.ts). */
export function tracedDepScan(ctx: CacheContext, sandbox: Sandbox, c: CompileCall, signal: AbortSignal): Promise<TracedScan> {
  return tracedScan(ctx, sandbox, { toolPath: c.toolPath, args: (depfile) => [...c.job.scanArgs, '-M', '-MF', depfile], cwd: c.cwd, env: c.env, umask: c.umask }, signal);
}
